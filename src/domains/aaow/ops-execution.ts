/** Execution state, node states, LLM executions and tool calls of the aaow adapter. */
import { randomUUID } from 'node:crypto';
import { toSqlTime, type Codec } from '../../codec.ts';
import { notFound } from '../../errors.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { opsOf } from '../../engine/op.ts';
import { listRows, withParent } from './list.ts';
import { executionStateOf, llmExecutionOf, toolCallLogOf } from './rows.ts';
import type * as Schemas from './schema.ts';
import {
  LISTS, type AaowStatements, type ExecutionStateRow, type LlmExecutionRow, type NodeStateRow, type ToolCallRow,
} from './statements.ts';
import type { LLMExecutionRecord, NodeExecutionState, ToolCallLog, WorkflowExecutionState } from './types.ts';

const op = opsOf<AaowStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');
const sqlTime = (date: Date | undefined): string | null => (date ? toSqlTime(date) : null);
/** Optional JSON: SQL NULL when absent, so that a stored `null`, `0` or `''` reads back as itself. */
const optionalJson = (codec: Codec, value: unknown) => (value === undefined ? null : codec.encodeJson(value));

/** Not awaited: its session is known to exist, and nothing is read back. */
function upsertNode(sql: AaowStatements, codec: Codec, sessionId: string, node: NodeExecutionState): void {
  void sql.upsertNodeState.run(randomUUID(), sessionId, node.nodeId, node.status, optionalJson(codec, node.input), optionalJson(codec, node.output),
    node.error ?? null, sqlTime(node.startedAt), sqlTime(node.completedAt), node.retryCount ?? 0, node.pendingApprovalId ?? null,
    optionalJson(codec, node.metadata));
}

export const executionOps = {
  saveExecutionState: op({
    kind: 'write',
    input: s.inputs.saveExecutionState,
    async run({ sql, codec }, { state }): Promise<void> {
      await withParent(sql, 'session', state.sessionId, () => sql.upsertExecutionState.run(randomUUID(), state.sessionId,
        state.budgetPoolId ?? null, state.currentNodeId ?? null, state.status, toSqlTime(state.startedAt ?? new Date()),
        sqlTime(state.completedAt), optionalJson(codec, state.metadata)));
      // Node states not in the map are kept, as aaow does: the map adds or replaces.
      for (const node of Object.values(state.nodeStates)) upsertNode(sql, codec, state.sessionId, node);
    },
  }),

  getExecutionState: op({
    kind: 'read',
    alone: true,
    input: s.bySession,
    run({ sql, codec, writable }, { sessionId }): Promise<WorkflowExecutionState | null> {
      // Two statements, one snapshot: a node state written between them must not show without its execution state.
      return sql.inSnapshot(writable, async () => {
        const row = (await sql.getExecutionState.get(sessionId)) as ExecutionStateRow | undefined;
        if (!row) return null;
        return executionStateOf(codec, row, (await sql.nodeStates.all(sessionId)) as NodeStateRow[]);
      });
    },
  }),

  updateNodeState: op({
    kind: 'write',
    input: s.inputs.updateNodeState,
    async run({ sql, codec }, { sessionId, state }): Promise<void> {
      if (!(await sql.executionStateExists.get(sessionId))) throw notFound('execution state', sessionId);
      upsertNode(sql, codec, sessionId, state);
    },
  }),

  saveLLMExecution: op({
    kind: 'write',
    input: s.inputs.saveLLMExecution,
    async run({ sql, codec }, { sessionId, nodeId, result: r }): Promise<void> {
      await withParent(sql, 'session', sessionId, () => sql.insertLlm.run(r.id, sessionId, nodeId, toSqlTime(r.timestamp), r.success ? 1 : 0,
        r.text ?? null, optionalJson(codec, r.toolCalls), r.usage?.promptTokens ?? null, r.usage?.completionTokens ?? null,
        r.usage?.totalTokens ?? null, r.error ?? null, optionalJson(codec, r.metadata)));
    },
  }),

  getLLMExecutions: op({
    kind: 'read',
    input: s.inputs.getLLMExecutions,
    async run({ sql, codec }, { sessionId, filter }): Promise<LLMExecutionRecord[]> {
      return (await listRows<LlmExecutionRow>(sql, LISTS.llmExecutions, [sessionId], filter)).map((row) => llmExecutionOf(codec, row));
    },
  }),

  getNodeLLMExecutions: op({
    kind: 'read',
    input: s.inputs.getNodeLLMExecutions,
    async run({ sql, codec }, { sessionId, nodeId }): Promise<LLMExecutionRecord[]> {
      return ((await sql.nodeLlm.all(sessionId, nodeId)) as LlmExecutionRow[]).map((row) => llmExecutionOf(codec, row));
    },
  }),

  logToolCall: op({
    kind: 'write',
    input: s.inputs.logToolCall,
    async run({ sql, codec }, { log }): Promise<void> {
      await withParent(sql, 'LLM execution', log.executionId, () => sql.insertToolCall.run(log.id, log.executionId, log.toolCallId, log.toolName,
        codec.encodeJson(log.args), optionalJson(codec, log.result), log.error ?? null, toSqlTime(log.timestamp), log.duration ?? null));
    },
  }),

  getToolCalls: op({
    kind: 'read',
    input: s.inputs.getToolCalls,
    async run({ sql, codec }, { executionId }): Promise<ToolCallLog[]> {
      return ((await sql.executionToolCalls.all(executionId)) as ToolCallRow[]).map((row) => toolCallLogOf(codec, row));
    },
  }),

  getSessionToolCalls: op({
    kind: 'read',
    input: s.inputs.getSessionToolCalls,
    async run({ sql, codec }, { sessionId, filter }): Promise<ToolCallLog[]> {
      return (await listRows<ToolCallRow>(sql, LISTS.sessionToolCalls, [sessionId], filter)).map((row) => toolCallLogOf(codec, row));
    },
  }),
};
