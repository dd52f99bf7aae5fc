/** Execution state, node states, LLM executions and tool calls of the aaow adapter. */
import { randomUUID } from 'node:crypto';
import { fromSqlTime, toSqlTime, type Codec } from '../../codec.ts';
import { notFound } from '../../errors.ts';
import { opsOf, type OpContext } from '../../engine/op.ts';
import { listRows, withParent } from './list.ts';
import { llmExecutionOf, nodeStateOf, toolCallLogOf } from './rows.ts';
import { bySession, inputs } from './schema.ts';
import { LISTS, type AaowStatements } from './sql.ts';
import type { LLMExecutionRecord, NodeExecutionState, ToolCallLog, WorkflowExecutionState } from './types.ts';

const op = opsOf<AaowStatements>();
const sqlTime = (date: Date | undefined): string | null => (date ? toSqlTime(date) : null);
/** Optional JSON: SQL NULL when absent, so that a stored `null`, `0` or `''` reads back as itself. */
const optionalJson = (codec: Codec, value: unknown) => (value === undefined ? null : codec.encodeJson(value));

function upsertNode(sql: AaowStatements, codec: Codec, sessionId: string, node: NodeExecutionState): void {
  sql.upsertNodeState.run(randomUUID(), sessionId, node.nodeId, node.status, optionalJson(codec, node.input), optionalJson(codec, node.output),
    node.error ?? null, sqlTime(node.startedAt), sqlTime(node.completedAt), node.retryCount ?? 0, node.pendingApprovalId ?? null,
    optionalJson(codec, node.metadata));
}

/** Several statements that must see one snapshot: a reader wraps them; the writer is already in a transaction. */
function inSnapshot<T>(ctx: OpContext<AaowStatements>, read: () => T): T {
  if (ctx.writable) return read();
  ctx.sql.db.exec('BEGIN');
  try {
    return read();
  } finally {
    ctx.sql.db.exec('COMMIT');
  }
}

export const executionOps = {
  saveExecutionState: op({
    kind: 'write',
    input: inputs.saveExecutionState,
    run({ sql, codec }, { state }): void {
      withParent('session', state.sessionId, () => sql.upsertExecutionState.run(randomUUID(), state.sessionId, state.budgetPoolId ?? null,
        state.currentNodeId ?? null, state.status, toSqlTime(state.startedAt ?? new Date()), sqlTime(state.completedAt),
        optionalJson(codec, state.metadata)));
      // Node states not in the map are kept, as aaow does: the map adds or replaces.
      for (const node of Object.values(state.nodeStates)) upsertNode(sql, codec, state.sessionId, node);
    },
  }),

  getExecutionState: op({
    kind: 'read',
    input: bySession,
    run(ctx, { sessionId }): WorkflowExecutionState | null {
      const { sql, codec } = ctx;
      return inSnapshot(ctx, () => {
        const row = sql.getExecutionState.get(sessionId);
        if (!row) return null;
        const nodeStates: Record<string, NodeExecutionState> = {};
        for (const nodeRow of sql.nodeStates.all(sessionId)) nodeStates[nodeRow.nodeId as string] = nodeStateOf(codec, nodeRow);
        const state = { sessionId, status: row.status, startedAt: fromSqlTime(row.startedAt as string), nodeStates } as WorkflowExecutionState;
        if (row.budgetPoolId !== null) state.budgetPoolId = row.budgetPoolId as string;
        if (row.currentNodeId !== null) state.currentNodeId = row.currentNodeId as string;
        if (row.completedAt !== null) state.completedAt = fromSqlTime(row.completedAt as string);
        if (row.metadata !== null) state.metadata = codec.decodeJson(row.metadata) as Record<string, unknown>;
        return state;
      });
    },
  }),

  updateNodeState: op({
    kind: 'write',
    input: inputs.updateNodeState,
    run({ sql, codec }, { sessionId, state }): void {
      if (!sql.executionStateExists.get(sessionId)) throw notFound('execution state', sessionId);
      upsertNode(sql, codec, sessionId, state);
    },
  }),

  saveLLMExecution: op({
    kind: 'write',
    input: inputs.saveLLMExecution,
    run({ sql, codec }, { sessionId, nodeId, result: r }): void {
      withParent('session', sessionId, () => sql.insertLlm.run(r.id, sessionId, nodeId, toSqlTime(r.timestamp), r.success ? 1 : 0, r.text ?? null,
        optionalJson(codec, r.toolCalls), r.usage?.promptTokens ?? null, r.usage?.completionTokens ?? null, r.usage?.totalTokens ?? null,
        r.error ?? null, optionalJson(codec, r.metadata)));
    },
  }),

  getLLMExecutions: op({
    kind: 'read',
    input: inputs.getLLMExecutions,
    run({ sql, codec }, { sessionId, filter }): LLMExecutionRecord[] {
      return listRows(sql, LISTS.llmExecutions, [sessionId], filter).map((row) => llmExecutionOf(codec, row));
    },
  }),

  getNodeLLMExecutions: op({
    kind: 'read',
    input: inputs.getNodeLLMExecutions,
    run({ sql, codec }, { sessionId, nodeId }): LLMExecutionRecord[] {
      return sql.nodeLlm.all(sessionId, nodeId).map((row) => llmExecutionOf(codec, row));
    },
  }),

  logToolCall: op({
    kind: 'write',
    input: inputs.logToolCall,
    run({ sql, codec }, { log }): void {
      withParent('LLM execution', log.executionId, () => sql.insertToolCall.run(log.id, log.executionId, log.toolCallId, log.toolName,
        codec.encodeJson(log.args), optionalJson(codec, log.result), log.error ?? null, toSqlTime(log.timestamp), log.duration ?? null));
    },
  }),

  getToolCalls: op({
    kind: 'read',
    input: inputs.getToolCalls,
    run({ sql, codec }, { executionId }): ToolCallLog[] {
      return sql.executionToolCalls.all(executionId).map((row) => toolCallLogOf(codec, row));
    },
  }),

  getSessionToolCalls: op({
    kind: 'read',
    input: inputs.getSessionToolCalls,
    run({ sql, codec }, { sessionId, filter }): ToolCallLog[] {
      return listRows(sql, LISTS.sessionToolCalls, [sessionId], filter).map((row) => toolCallLogOf(codec, row));
    },
  }),
};
