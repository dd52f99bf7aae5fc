/**
 * What the aaow adapter's operations need of a backend: the same names on SQLite and
 * PostgreSQL (sqlite.ts, postgres.ts), rows in one shape (mapped once, in rows.ts), and
 * the lists' allow-listed fields, from which each backend builds its list statements.
 */
import type { Statement } from '../../engine/op.ts';

/** How a record field maps to a column, and how its `where` value is bound. */
export interface FieldSpec {
  readonly column: string;
  readonly kind: 'text' | 'time' | 'number' | 'bool';
  /** The column may hold NULL (it matters for where NULLs sort). */
  readonly nullable: boolean;
}

/** A list query: the allow-listed fields of its record and the fixed part of its SQL (common to both dialects). */
export interface ListSpec {
  readonly key: string;
  readonly select: string;
  readonly from: string;
  /** The column compared with the list's own bound parameter, which comes first. */
  readonly by?: string;
  /** A condition with no parameter, always applied. */
  readonly fixed?: string;
  /** On NOT NULL columns only, so that both backends read it from an index. */
  readonly defaultOrder: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** One `where` field of a list: equal to a bound value, or NULL. */
export interface ListCondition {
  readonly field: FieldSpec;
  readonly isNull: boolean;
}

export interface ListOrder {
  readonly field: FieldSpec;
  readonly desc: boolean;
}

const field = (kind: FieldSpec['kind'], nullable = false) => (column: string): FieldSpec => ({ column, kind, nullable });
const text = field('text');
const optionalText = field('text', true);
const time = field('time');
const optionalTime = field('time', true);
const optionalNumber = field('number', true);
const bool = field('bool');

export const WORKFLOW_COLUMNS = 't."id", t."name", t."version", t."definition", t."createdAt", t."updatedAt", t."metadata"';
export const SESSION_COLUMNS = 't."id", t."workflowId", t."workflowSnapshot", t."status", t."createdAt", t."updatedAt", t."metadata"';
export const LLM_COLUMNS = `t."id", t."timestamp", t."success", t."text", t."toolCalls", t."usage_promptTokens",
  t."usage_completionTokens", t."usage_totalTokens", t."error", t."metadata"`;
export const TOOL_COLUMNS = 't."id", t."executionId", t."toolCallId", t."toolName", t."args", t."result", t."error", t."timestamp", t."duration"';
export const APPROVAL_COLUMNS = `t."id", t."sessionId", t."nodeId", t."type", t."status", t."context", t."createdAt",
  t."resolvedAt", t."resolvedBy", t."resolutionNotes"`;
const STREAM_COLUMNS = 't."id", t."streamId", t."nodeId", t."data", t."timestamp", t."sessionId"';
export const POOL_COLUMNS = 't."id", t."parentPoolId", t."totalBudget", t."usedBudget", t."remainingBudget", t."status", t."createdAt", t."metadata"';
export const NODE_COLUMNS = `"nodeId", "status", "input", "output", "error", "startedAt", "completedAt", "retryCount",
  "pendingApprovalId", "metadata"`;
export const EXECUTION_STATE_COLUMNS = '"sessionId", "budgetPoolId", "currentNodeId", "status", "startedAt", "completedAt", "metadata"';

const WORKFLOW_FIELDS = { id: text('id'), name: text('name'), version: text('version'), createdAt: time('createdAt'), updatedAt: time('updatedAt') };
const SESSION_FIELDS = {
  id: text('id'), workflowId: optionalText('workflowId'), status: text('status'), createdAt: time('createdAt'), updatedAt: time('updatedAt'),
};
const LLM_FIELDS = { id: text('id'), timestamp: time('timestamp'), success: bool('success'), text: optionalText('text'), error: optionalText('error') };
const TOOL_FIELDS = {
  id: text('id'), executionId: text('executionId'), toolCallId: text('toolCallId'), toolName: text('toolName'),
  error: optionalText('error'), timestamp: time('timestamp'), duration: optionalNumber('duration'),
};
const APPROVAL_FIELDS = {
  id: text('id'), sessionId: text('sessionId'), nodeId: text('nodeId'), type: text('type'), status: text('status'), createdAt: time('createdAt'),
  resolvedAt: optionalTime('resolvedAt'), resolvedBy: optionalText('resolvedBy'), resolutionNotes: optionalText('resolutionNotes'),
};
const STREAM_FIELDS = {
  id: text('id'), streamId: text('streamId'), nodeId: text('nodeId'), timestamp: time('timestamp'), sessionId: optionalText('sessionId'),
};

/** The record fields each list can filter and sort on; JSON fields are not among them. */
export const LISTS = {
  workflows: { key: 'workflows', select: WORKFLOW_COLUMNS, from: 'workflows t', defaultOrder: 't."createdAt" ASC', fields: WORKFLOW_FIELDS },
  sessions: { key: 'sessions', select: SESSION_COLUMNS, from: 'aaow_sessions t', defaultOrder: 't."createdAt" ASC', fields: SESSION_FIELDS },
  llmExecutions: { key: 'llm', select: LLM_COLUMNS, from: 'llm_executions t', by: 't."sessionId"', defaultOrder: 't."timestamp" ASC', fields: LLM_FIELDS },
  sessionToolCalls: {
    key: 'tools', select: TOOL_COLUMNS, from: 'tool_call_logs t JOIN llm_executions e ON e."id" = t."executionId"',
    by: 'e."sessionId"', defaultOrder: 't."timestamp" ASC', fields: TOOL_FIELDS,
  },
  approvals: { key: 'approvals', select: APPROVAL_COLUMNS, from: 'approval_requests t', by: 't."sessionId"', defaultOrder: 't."createdAt" ASC', fields: APPROVAL_FIELDS },
  pendingApprovals: {
    key: 'pending', select: APPROVAL_COLUMNS, from: 'approval_requests t', fixed: `t."status" = 'pending'`, defaultOrder: 't."createdAt" ASC',
    fields: APPROVAL_FIELDS,
  },
  streamEvents: { key: 'stream', select: STREAM_COLUMNS, from: 'stream_events t', by: 't."streamId"', defaultOrder: 't."timestamp" ASC', fields: STREAM_FIELDS },
} as const satisfies Record<string, ListSpec>;

/** One key per combination of where and order columns: each backend caches a statement under it. */
export function listKey(spec: ListSpec, where: readonly ListCondition[], order: ListOrder | undefined): string {
  return `${spec.key}|${where.map((w) => `${w.field.column}${w.isNull ? '~' : ''}`).join(',')}|${order ? `${order.field.column}:${order.desc}` : ''}`;
}

/** Lists cached per connection; past this many combinations a backend stops caching new ones (see each file). */
export const LIST_CACHE_SIZE = 256;

export interface AaowStatements {
  /**
   * The statement of one list for one combination of where and order columns, prepared
   * once per connection and combination. Binds the list's own parameter (when it has
   * `by`), the where values in field order, the limit or null, and the offset. Rows equal
   * on the sort key come back in the order they were written.
   */
  list(spec: ListSpec, where: readonly ListCondition[], order: ListOrder | undefined): Statement;
  /**
   * Runs `read` so that all of its statements see one snapshot: a reader wraps them in a
   * read-only transaction; the writer (`writable`) is already inside one.
   */
  inSnapshot<T>(writable: boolean, read: () => Promise<T>): Promise<T>;
  /** True when `error` is a write refused because a row it references does not exist. */
  isMissingParent(error: unknown): boolean;

  insertWorkflow: Statement;
  getWorkflow: Statement;
  /** `(id, then each field or null to keep it, updatedAt)`; changes 0 when there is no such workflow. */
  updateWorkflow: Statement;
  deleteWorkflow: Statement;

  insertSession: Statement;
  getSession: Statement;
  updateSession: Statement;
  deleteSession: Statement;
  /** `(before, statuses as a JSON array)`: store.cleanup's share, cascading like deleteSession. */
  deleteFinishedSessions: Statement;

  upsertExecutionState: Statement;
  getExecutionState: Statement;
  executionStateExists: Statement;
  upsertNodeState: Statement;
  /** A session's node states in the order they were first written. */
  nodeStates: Statement;

  insertLlm: Statement;
  nodeLlm: Statement;

  insertPool: Statement;
  getPool: Statement;
  updatePool: Statement;
  childPools: Statement;

  insertToolCall: Statement;
  executionToolCalls: Statement;

  insertApproval: Statement;
  getApproval: Statement;
  updateApproval: Statement;
  /** Changes 0 unless the request exists and is pending. */
  resolveApproval: Statement;
  approvalStatus: Statement;

  insertStreamEvent: Statement;
}

/** A stored JSON value: text, or bytes (PostgreSQL's bytea, a compressed value). */
export type StoredJson = string | Uint8Array;

/** Rows as both backends return them: times as SQLite-form UTC text, flags as 0 or 1, integers as numbers. */
export interface WorkflowRow {
  id: string; name: string; version: string; definition: StoredJson; createdAt: string; updatedAt: string; metadata: StoredJson | null;
}

export interface SessionRow {
  id: string; workflowId: string | null; workflowSnapshot: StoredJson; status: string; createdAt: string; updatedAt: string;
  metadata: StoredJson | null;
}

export interface ExecutionStateRow {
  sessionId: string; budgetPoolId: string | null; currentNodeId: string | null; status: string; startedAt: string;
  completedAt: string | null; metadata: StoredJson | null;
}

export interface NodeStateRow {
  nodeId: string; status: string; input: StoredJson | null; output: StoredJson | null; error: string | null; startedAt: string | null;
  completedAt: string | null; retryCount: number; pendingApprovalId: string | null; metadata: StoredJson | null;
}

export interface LlmExecutionRow {
  id: string; timestamp: string; success: number; text: string | null; toolCalls: StoredJson | null; usage_promptTokens: number | null;
  usage_completionTokens: number | null; usage_totalTokens: number | null; error: string | null; metadata: StoredJson | null;
}

export interface BudgetPoolRow {
  id: string; parentPoolId: string | null; totalBudget: number; usedBudget: number; remainingBudget: number; status: string;
  createdAt: string; metadata: StoredJson | null;
}

export interface ToolCallRow {
  id: string; executionId: string; toolCallId: string; toolName: string; args: StoredJson; result: StoredJson | null; error: string | null;
  timestamp: string; duration: number | null;
}

export interface ApprovalRow {
  id: string; sessionId: string; nodeId: string; type: string; status: string; context: StoredJson; createdAt: string;
  resolvedAt: string | null; resolvedBy: string | null; resolutionNotes: string | null;
}

export interface StreamEventRow {
  id: string; streamId: string; nodeId: string; data: StoredJson; timestamp: string; sessionId: string | null;
}
