/** Rows as both backends return them (statements.ts), decoded into the aaow records: written once. */
import { fromSqlTime, type Codec } from '../../codec.ts';
import type {
  ApprovalRow, BudgetPoolRow, ExecutionStateRow, LlmExecutionRow, NodeStateRow, SessionRow, StreamEventRow, ToolCallRow, WorkflowRow,
} from './statements.ts';
import type {
  ApprovalRequest, BudgetPool, LLMExecutionRecord, NodeExecutionState, Session, StoredWorkflow, StreamEvent, ToolCallLog,
  WorkflowExecutionState,
} from './types.ts';

/** Sets `key` only when the column holds a value, so absent optional fields stay absent. */
function put<T extends object>(target: T, key: string, value: unknown): void {
  if (value !== null && value !== undefined) (target as Record<string, unknown>)[key] = value;
}

const time = (value: unknown): Date | null => (value === null || value === undefined ? null : fromSqlTime(value as string));
/** A JSON column: SQL NULL is an absent field; stored JSON `null` is a null value. */
const json = (codec: Codec, value: unknown): unknown => (value === null || value === undefined ? undefined : codec.decodeJson(value));

function putJson<T extends object>(codec: Codec, target: T, key: string, value: unknown): void {
  if (value !== null && value !== undefined) (target as Record<string, unknown>)[key] = codec.decodeJson(value);
}

export function workflowOf(codec: Codec, row: WorkflowRow): StoredWorkflow {
  const record = {
    id: row.id, name: row.name, version: row.version, definition: codec.decodeJson(row.definition),
    createdAt: time(row.createdAt), updatedAt: time(row.updatedAt),
  } as StoredWorkflow;
  putJson(codec, record, 'metadata', row.metadata);
  return record;
}

export function sessionOf(codec: Codec, row: SessionRow): Session {
  const record = {
    id: row.id, workflowId: row.workflowId, workflowSnapshot: codec.decodeJson(row.workflowSnapshot), status: row.status,
    createdAt: time(row.createdAt), updatedAt: time(row.updatedAt),
  } as Session;
  putJson(codec, record, 'metadata', row.metadata);
  return record;
}

export function nodeStateOf(codec: Codec, row: NodeStateRow): NodeExecutionState {
  const record = { nodeId: row.nodeId, status: row.status } as NodeExecutionState;
  if (row.input !== null) record.input = json(codec, row.input);
  if (row.output !== null) record.output = json(codec, row.output);
  put(record, 'error', row.error);
  put(record, 'startedAt', time(row.startedAt));
  put(record, 'completedAt', time(row.completedAt));
  // aaow always reports a retry count (0 when none was given).
  record.retryCount = Number(row.retryCount);
  put(record, 'pendingApprovalId', row.pendingApprovalId);
  putJson(codec, record, 'metadata', row.metadata);
  return record;
}

export function llmExecutionOf(codec: Codec, row: LlmExecutionRow): LLMExecutionRecord {
  const record = { id: row.id, timestamp: time(row.timestamp), success: row.success === 1 } as LLMExecutionRecord;
  put(record, 'text', row.text);
  putJson(codec, record, 'toolCalls', row.toolCalls);
  put(record, 'error', row.error);
  if (row.usage_promptTokens !== null || row.usage_completionTokens !== null || row.usage_totalTokens !== null) {
    record.usage = {
      promptTokens: Number(row.usage_promptTokens ?? 0),
      completionTokens: Number(row.usage_completionTokens ?? 0),
      totalTokens: Number(row.usage_totalTokens ?? 0),
    };
  }
  putJson(codec, record, 'metadata', row.metadata);
  return record;
}

export function budgetPoolOf(codec: Codec, row: BudgetPoolRow): BudgetPool {
  const record = { id: row.id } as BudgetPool;
  put(record, 'parentPoolId', row.parentPoolId);
  Object.assign(record, {
    totalBudget: row.totalBudget, usedBudget: row.usedBudget, remainingBudget: row.remainingBudget,
    status: row.status, createdAt: time(row.createdAt),
  });
  putJson(codec, record, 'metadata', row.metadata);
  return record;
}

export function toolCallLogOf(codec: Codec, row: ToolCallRow): ToolCallLog {
  const record = {
    id: row.id, executionId: row.executionId, toolCallId: row.toolCallId, toolName: row.toolName, args: codec.decodeJson(row.args),
  } as ToolCallLog;
  if (row.result !== null) record.result = json(codec, row.result);
  put(record, 'error', row.error);
  record.timestamp = time(row.timestamp)!;
  put(record, 'duration', row.duration);
  return record;
}

export function approvalOf(codec: Codec, row: ApprovalRow): ApprovalRequest {
  const record = {
    id: row.id, sessionId: row.sessionId, nodeId: row.nodeId, type: row.type, status: row.status,
    context: codec.decodeJson(row.context), createdAt: time(row.createdAt),
  } as ApprovalRequest;
  put(record, 'resolvedAt', time(row.resolvedAt));
  put(record, 'resolvedBy', row.resolvedBy);
  put(record, 'resolutionNotes', row.resolutionNotes);
  return record;
}

export function streamEventOf(codec: Codec, row: StreamEventRow): StreamEvent {
  const record = { id: row.id, streamId: row.streamId, nodeId: row.nodeId, data: codec.decodeJson(row.data), timestamp: time(row.timestamp) } as StreamEvent;
  put(record, 'sessionId', row.sessionId);
  return record;
}

/** An execution state with its node states (in the order they were first written). */
export function executionStateOf(codec: Codec, row: ExecutionStateRow, nodes: readonly NodeStateRow[]): WorkflowExecutionState {
  const nodeStates: Record<string, NodeExecutionState> = {};
  for (const node of nodes) nodeStates[node.nodeId] = nodeStateOf(codec, node);
  const state = { sessionId: row.sessionId, status: row.status, startedAt: time(row.startedAt), nodeStates } as WorkflowExecutionState;
  put(state, 'budgetPoolId', row.budgetPoolId);
  put(state, 'currentNodeId', row.currentNodeId);
  put(state, 'completedAt', time(row.completedAt));
  putJson(codec, state, 'metadata', row.metadata);
  return state;
}
