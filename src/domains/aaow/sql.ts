/**
 * Every statement of the aaow adapter (seed 003), in one place. Fixed statements are
 * prepared once per connection; filtered lists are built only from the allow-listed
 * column names below and cached per connection, with every value bound.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** How a record field maps to a column, and how its `where` value is bound. */
export interface FieldSpec {
  readonly column: string;
  readonly kind: 'text' | 'time' | 'number' | 'bool';
}

/** A list query: the allow-listed fields of its record and the fixed part of its SQL. */
export interface ListSpec {
  readonly key: string;
  readonly select: string;
  readonly from: string;
  /** Conditions always applied, with their own bound parameters first. */
  readonly base: string;
  readonly defaultOrder: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

const text = (column: string): FieldSpec => ({ column, kind: 'text' });
const time = (column: string): FieldSpec => ({ column, kind: 'time' });
const number = (column: string): FieldSpec => ({ column, kind: 'number' });
const bool = (column: string): FieldSpec => ({ column, kind: 'bool' });

const WORKFLOW_COLUMNS = 't."id", t."name", t."version", t."definition", t."createdAt", t."updatedAt", t."metadata"';
const SESSION_COLUMNS = 't."id", t."workflowId", t."workflowSnapshot", t."status", t."createdAt", t."updatedAt", t."metadata"';
const LLM_COLUMNS = `t."id", t."timestamp", t."success", t."text", t."toolCalls", t."usage_promptTokens",
  t."usage_completionTokens", t."usage_totalTokens", t."error", t."metadata"`;
const POOL_COLUMNS = 't."id", t."parentPoolId", t."totalBudget", t."usedBudget", t."remainingBudget", t."status", t."createdAt", t."metadata"';
const TOOL_COLUMNS = 't."id", t."executionId", t."toolCallId", t."toolName", t."args", t."result", t."error", t."timestamp", t."duration"';
const APPROVAL_COLUMNS = `t."id", t."sessionId", t."nodeId", t."type", t."status", t."context", t."createdAt",
  t."resolvedAt", t."resolvedBy", t."resolutionNotes"`;
const STREAM_COLUMNS = 't."id", t."streamId", t."nodeId", t."data", t."timestamp", t."sessionId"';
const NODE_COLUMNS = `"nodeId", "status", "input", "output", "error", "startedAt", "completedAt", "retryCount",
  "pendingApprovalId", "metadata"`;

const WORKFLOW_FIELDS = { id: text('id'), name: text('name'), version: text('version'), createdAt: time('createdAt'), updatedAt: time('updatedAt') };
const SESSION_FIELDS = { id: text('id'), workflowId: text('workflowId'), status: text('status'), createdAt: time('createdAt'), updatedAt: time('updatedAt') };
const LLM_FIELDS = { id: text('id'), timestamp: time('timestamp'), success: bool('success'), text: text('text'), error: text('error') };
const TOOL_FIELDS = {
  id: text('id'), executionId: text('executionId'), toolCallId: text('toolCallId'), toolName: text('toolName'),
  error: text('error'), timestamp: time('timestamp'), duration: number('duration'),
};
const APPROVAL_FIELDS = {
  id: text('id'), sessionId: text('sessionId'), nodeId: text('nodeId'), type: text('type'), status: text('status'),
  createdAt: time('createdAt'), resolvedAt: time('resolvedAt'), resolvedBy: text('resolvedBy'), resolutionNotes: text('resolutionNotes'),
};
const STREAM_FIELDS = { id: text('id'), streamId: text('streamId'), nodeId: text('nodeId'), timestamp: time('timestamp'), sessionId: text('sessionId') };

/** The record fields each list can filter and sort on; JSON fields are not among them. */
export const LISTS = {
  workflows: { key: 'workflows', select: WORKFLOW_COLUMNS, from: 'workflows t', base: '1', defaultOrder: 't."createdAt" ASC', fields: WORKFLOW_FIELDS },
  sessions: { key: 'sessions', select: SESSION_COLUMNS, from: 'aaow_sessions t', base: '1', defaultOrder: 't."createdAt" ASC', fields: SESSION_FIELDS },
  llmExecutions: { key: 'llm', select: LLM_COLUMNS, from: 'llm_executions t', base: 't."sessionId" = ?', defaultOrder: 't."timestamp" ASC', fields: LLM_FIELDS },
  sessionToolCalls: {
    key: 'tools', select: TOOL_COLUMNS, from: 'tool_call_logs t JOIN llm_executions e ON e."id" = t."executionId"',
    base: 'e."sessionId" = ?', defaultOrder: 't."timestamp" ASC', fields: TOOL_FIELDS,
  },
  approvals: { key: 'approvals', select: APPROVAL_COLUMNS, from: 'approval_requests t', base: 't."sessionId" = ?', defaultOrder: 't."createdAt" ASC', fields: APPROVAL_FIELDS },
  pendingApprovals: { key: 'pending', select: APPROVAL_COLUMNS, from: 'approval_requests t', base: `t."status" = 'pending'`, defaultOrder: 't."createdAt" ASC', fields: APPROVAL_FIELDS },
  streamEvents: { key: 'stream', select: STREAM_COLUMNS, from: 'stream_events t', base: 't."streamId" = ?', defaultOrder: 't."timestamp" ASC', fields: STREAM_FIELDS },
} as const satisfies Record<string, ListSpec>;

export type ListName = keyof typeof LISTS;

/** The one shape every list is built in; `columns` are allow-listed names, never user text. */
export function listSql(spec: ListSpec, where: readonly { column: string; isNull: boolean }[], order?: { column: string; desc: boolean }): string {
  const conditions = [spec.base, ...where.map((w) => (w.isNull ? `t."${w.column}" IS NULL` : `t."${w.column}" = ?`))];
  // rowid last: rows equal on the sort key come back in the order they were written.
  const orderBy = order ? `t."${order.column}" ${order.desc ? 'DESC' : 'ASC'}` : spec.defaultOrder;
  return `SELECT ${spec.select} FROM ${spec.from} WHERE ${conditions.join(' AND ')} ORDER BY ${orderBy}, t.rowid ASC LIMIT ? OFFSET ?`;
}

const LIST_CACHE_SIZE = 256;

export function prepareAaow(db: DatabaseSync) {
  const lists = new Map<string, StatementSync>();
  return {
    db,
    /** A cached statement for one combination of allow-listed where/order columns. */
    list(spec: ListSpec, where: readonly { column: string; isNull: boolean }[], order?: { column: string; desc: boolean }): StatementSync {
      const key = `${spec.key}|${where.map((w) => `${w.column}${w.isNull ? '~' : ''}`).join(',')}|${order ? `${order.column}:${order.desc}` : ''}`;
      let statement = lists.get(key);
      if (!statement) {
        if (lists.size >= LIST_CACHE_SIZE) lists.delete(lists.keys().next().value!);
        statement = db.prepare(listSql(spec, where, order));
        lists.set(key, statement);
      }
      return statement;
    },

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
    sessionExists: db.prepare('SELECT 1 AS found FROM aaow_sessions WHERE "id" = ?'),

    upsertExecutionState: db.prepare(`INSERT INTO execution_states ("id", "sessionId", "budgetPoolId", "currentNodeId", "status",
        "startedAt", "completedAt", "metadata") VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT ("sessionId") DO UPDATE SET "budgetPoolId" = excluded."budgetPoolId", "currentNodeId" = excluded."currentNodeId",
        "status" = excluded."status", "startedAt" = excluded."startedAt", "completedAt" = excluded."completedAt",
        "metadata" = excluded."metadata"`),
    getExecutionState: db.prepare(`SELECT "sessionId", "budgetPoolId", "currentNodeId", "status", "startedAt", "completedAt", "metadata"
      FROM execution_states WHERE "sessionId" = ?`),
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

export type AaowStatements = ReturnType<typeof prepareAaow>;
