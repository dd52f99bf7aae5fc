/**
 * Every statement of the aaow adapter (seed 003) on SQLite (postgres.ts has the same
 * names). Fixed statements are prepared once per connection; filtered lists are built
 * only from the allow-listed column names of statements.ts and cached per connection,
 * with every value bound.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { isSqliteError } from '../../backends/sqlite/errors.ts';
import {
  APPROVAL_COLUMNS, EXECUTION_STATE_COLUMNS, LIST_CACHE_SIZE, listKey, LLM_COLUMNS, NODE_COLUMNS, POOL_COLUMNS, SESSION_COLUMNS,
  TOOL_COLUMNS, WORKFLOW_COLUMNS, type AaowStatements, type ListCondition, type ListOrder, type ListSpec,
} from './statements.ts';

const SQLITE_CONSTRAINT_FOREIGNKEY = 787;

/** The one shape every list is built in; `columns` are allow-listed names, never user text. */
export function listSql(spec: ListSpec, where: readonly ListCondition[], order?: ListOrder): string {
  const conditions = [spec.by ? `${spec.by} = ?` : spec.fixed ?? '1'];
  for (const w of where) conditions.push(w.isNull ? `t."${w.field.column}" IS NULL` : `t."${w.field.column}" = ?`);
  // rowid last: rows equal on the sort key come back in the order they were written.
  const orderBy = order ? `t."${order.field.column}" ${order.desc ? 'DESC' : 'ASC'}` : spec.defaultOrder;
  return `SELECT ${spec.select} FROM ${spec.from} WHERE ${conditions.join(' AND ')} ORDER BY ${orderBy}, t.rowid ASC LIMIT COALESCE(?, -1) OFFSET ?`;
}

export function prepareAaow(db: DatabaseSync): AaowStatements {
  const lists = new Map<string, StatementSync>();
  return {
    list(spec, where, order) {
      const key = listKey(spec, where, order);
      let statement = lists.get(key);
      if (!statement) {
        if (lists.size >= LIST_CACHE_SIZE) lists.delete(lists.keys().next().value!);
        statement = db.prepare(listSql(spec, where, order));
        lists.set(key, statement);
      }
      return statement;
    },
    async inSnapshot(writable, read) {
      if (writable) return read();
      db.exec('BEGIN');
      try {
        return await read();
      } finally {
        db.exec('COMMIT');
      }
    },
    isMissingParent: (error) => isSqliteError(error) && error.errcode === SQLITE_CONSTRAINT_FOREIGNKEY,

    insertWorkflow: db.prepare(`INSERT INTO workflows ("id", "name", "version", "definition", "createdAt", "updatedAt", "metadata")
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    getWorkflow: db.prepare(`SELECT ${WORKFLOW_COLUMNS} FROM workflows t WHERE t."id" = ?`),
    updateWorkflow: db.prepare(`UPDATE workflows SET "name" = COALESCE(?2, "name"), "version" = COALESCE(?3, "version"),
      "definition" = COALESCE(?4, "definition"), "createdAt" = COALESCE(?5, "createdAt"), "updatedAt" = ?6,
      "metadata" = COALESCE(?7, "metadata") WHERE "id" = ?1`),
    deleteWorkflow: db.prepare('DELETE FROM workflows WHERE "id" = ?'),

    insertSession: db.prepare(`INSERT INTO aaow_sessions ("id", "workflowId", "workflowSnapshot", "status", "createdAt", "updatedAt", "metadata")
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    getSession: db.prepare(`SELECT ${SESSION_COLUMNS} FROM aaow_sessions t WHERE t."id" = ?`),
    updateSession: db.prepare(`UPDATE aaow_sessions SET "workflowId" = COALESCE(?2, "workflowId"),
      "workflowSnapshot" = COALESCE(?3, "workflowSnapshot"), "status" = COALESCE(?4, "status"),
      "createdAt" = COALESCE(?5, "createdAt"), "updatedAt" = ?6, "metadata" = COALESCE(?7, "metadata") WHERE "id" = ?1`),
    deleteSession: db.prepare('DELETE FROM aaow_sessions WHERE "id" = ?'),
    // Retention (store.cleanup): finished sessions not updated since ?1, with one of the statuses in the JSON array ?2.
    deleteFinishedSessions: db.prepare(`DELETE FROM aaow_sessions WHERE "updatedAt" < ?1 AND "status" IN (SELECT value FROM json_each(?2))`),

    upsertExecutionState: db.prepare(`INSERT INTO execution_states ("id", "sessionId", "budgetPoolId", "currentNodeId", "status",
        "startedAt", "completedAt", "metadata") VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT ("sessionId") DO UPDATE SET "budgetPoolId" = excluded."budgetPoolId", "currentNodeId" = excluded."currentNodeId",
        "status" = excluded."status", "startedAt" = excluded."startedAt", "completedAt" = excluded."completedAt",
        "metadata" = excluded."metadata"`),
    getExecutionState: db.prepare(`SELECT ${EXECUTION_STATE_COLUMNS} FROM execution_states WHERE "sessionId" = ?`),
    executionStateExists: db.prepare('SELECT 1 AS found FROM execution_states WHERE "sessionId" = ?'),
    upsertNodeState: db.prepare(`INSERT INTO node_execution_states ("id", "sessionId", "nodeId", "status", "input", "output", "error",
        "startedAt", "completedAt", "retryCount", "pendingApprovalId", "metadata") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT ("sessionId", "nodeId") DO UPDATE SET "status" = excluded."status", "input" = excluded."input",
        "output" = excluded."output", "error" = excluded."error", "startedAt" = excluded."startedAt",
        "completedAt" = excluded."completedAt", "retryCount" = excluded."retryCount",
        "pendingApprovalId" = excluded."pendingApprovalId", "metadata" = excluded."metadata"`),
    nodeStates: db.prepare(`SELECT ${NODE_COLUMNS} FROM node_execution_states WHERE "sessionId" = ? ORDER BY rowid`),

    insertLlm: db.prepare(`INSERT INTO llm_executions ("id", "sessionId", "nodeId", "timestamp", "success", "text", "toolCalls",
        "usage_promptTokens", "usage_completionTokens", "usage_totalTokens", "error", "metadata")
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    nodeLlm: db.prepare(`SELECT ${LLM_COLUMNS} FROM llm_executions t WHERE t."sessionId" = ? AND t."nodeId" = ?
      ORDER BY t."timestamp", t.rowid`),

    insertPool: db.prepare(`INSERT INTO budget_pools ("id", "parentPoolId", "totalBudget", "usedBudget", "remainingBudget", "status",
        "createdAt", "metadata") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    getPool: db.prepare(`SELECT ${POOL_COLUMNS} FROM budget_pools t WHERE t."id" = ?`),
    updatePool: db.prepare(`UPDATE budget_pools SET "parentPoolId" = COALESCE(?2, "parentPoolId"),
      "totalBudget" = COALESCE(?3, "totalBudget"), "usedBudget" = COALESCE(?4, "usedBudget"),
      "remainingBudget" = COALESCE(?5, "remainingBudget"), "status" = COALESCE(?6, "status"),
      "createdAt" = COALESCE(?7, "createdAt"), "metadata" = COALESCE(?8, "metadata") WHERE "id" = ?1`),
    childPools: db.prepare(`SELECT ${POOL_COLUMNS} FROM budget_pools t WHERE t."parentPoolId" = ? ORDER BY t."createdAt", t.rowid`),

    insertToolCall: db.prepare(`INSERT INTO tool_call_logs ("id", "executionId", "toolCallId", "toolName", "args", "result", "error",
        "timestamp", "duration") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    executionToolCalls: db.prepare(`SELECT ${TOOL_COLUMNS} FROM tool_call_logs t WHERE t."executionId" = ? ORDER BY t."timestamp", t.rowid`),

    insertApproval: db.prepare(`INSERT INTO approval_requests ("id", "sessionId", "nodeId", "type", "status", "context", "createdAt",
        "resolvedAt", "resolvedBy", "resolutionNotes") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    getApproval: db.prepare(`SELECT ${APPROVAL_COLUMNS} FROM approval_requests t WHERE t."id" = ?`),
    updateApproval: db.prepare(`UPDATE approval_requests SET "nodeId" = COALESCE(?2, "nodeId"), "type" = COALESCE(?3, "type"),
      "status" = COALESCE(?4, "status"), "context" = COALESCE(?5, "context"), "createdAt" = COALESCE(?6, "createdAt"),
      "resolvedAt" = COALESCE(?7, "resolvedAt"), "resolvedBy" = COALESCE(?8, "resolvedBy"),
      "resolutionNotes" = COALESCE(?9, "resolutionNotes") WHERE "id" = ?1`),
    resolveApproval: db.prepare(`UPDATE approval_requests SET "status" = ?2, "resolvedAt" = ?3, "resolvedBy" = ?4, "resolutionNotes" = ?5
      WHERE "id" = ?1 AND "status" = 'pending'`),
    approvalStatus: db.prepare('SELECT "status" FROM approval_requests WHERE "id" = ?'),

    insertStreamEvent: db.prepare('INSERT INTO stream_events ("id", "streamId", "nodeId", "data", "timestamp", "sessionId") VALUES (?, ?, ?, ?, ?, ?)'),
  };
}
