/**
 * Every statement of the aaow adapter (seed 003) on PostgreSQL (sqlite.ts has the same
 * names). Times bind as SQLite-form text cast to timestamptz; JSON values are bytea
 * (the `bytea` parameters); `rowid` is the tables' identity column, SQLite's rowid.
 */
import type { QueryConfig } from 'pg';
import type { PgConnection } from '../../backends/postgres/connection.ts';
import { isPgServerError } from '../../backends/postgres/errors.ts';
import type { Statement } from '../../engine/op.ts';
import {
  APPROVAL_COLUMNS, EXECUTION_STATE_COLUMNS, LIST_CACHE_SIZE, listKey, LLM_COLUMNS, NODE_COLUMNS, POOL_COLUMNS, SESSION_COLUMNS,
  TOOL_COLUMNS, WORKFLOW_COLUMNS, type AaowStatements, type FieldSpec, type ListCondition, type ListOrder, type ListSpec,
} from './statements.ts';

const FOREIGN_KEY_VIOLATION = '23503';

/** Casts that make a where value compare as SQLite compares it (a number as a number, whatever the column's integer type). */
const CAST: Record<FieldSpec['kind'], string> = { text: '', time: '::timestamptz', number: '::double precision', bool: '::smallint' };

/** SQLite's order: NULLs first ascending, last descending (PostgreSQL's default is the other way round). */
function direction(order: ListOrder): string {
  if (!order.field.nullable) return order.desc ? 'DESC' : 'ASC';
  return order.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST';
}

/** The same list as sqlite.ts's `listSql`, in PostgreSQL's dialect; columns are allow-listed names, never user text. */
export function listSql(spec: ListSpec, where: readonly ListCondition[], order?: ListOrder): string {
  let n = 0;
  const param = (cast: string) => `$${++n}${cast}`;
  const conditions = [spec.by ? `${spec.by} = ${param('')}` : spec.fixed ?? 'true'];
  for (const w of where) conditions.push(w.isNull ? `t."${w.field.column}" IS NULL` : `t."${w.field.column}" = ${param(CAST[w.field.kind])}`);
  const orderBy = order ? `t."${order.field.column}" ${direction(order)}` : spec.defaultOrder;
  return `SELECT ${spec.select} FROM ${spec.from} WHERE ${conditions.join(' AND ')} ORDER BY ${orderBy}, t.rowid ASC
    LIMIT ${param('::bigint')} OFFSET ${param('::bigint')}`;
}

/**
 * A list past the cache: sent unnamed, so parsed on each call. A named statement lives on
 * the server until its connection closes (pg cannot deallocate one), so a cache that
 * dropped old combinations would still grow there without bound.
 */
function unnamed(conn: PgConnection, text: string): Statement {
  const query = (values: unknown[]) => conn.query({ text, values, queryMode: 'extended' } as QueryConfig);
  const rows = async (values: unknown[]) => (await query(values)).rows as Record<string, unknown>[];
  return {
    run: async (...values) => ({ changes: (await query(values)).rowCount ?? 0 }),
    get: async (...values) => (await rows(values))[0],
    all: (...values) => rows(values),
  };
}

export function prepareAaow(conn: PgConnection): AaowStatements {
  const lists = new Map<string, Statement>();
  return {
    list(spec, where, order) {
      const key = listKey(spec, where, order);
      let statement = lists.get(key);
      if (!statement) {
        if (lists.size >= LIST_CACHE_SIZE) return unnamed(conn, listSql(spec, where, order));
        statement = conn.statement(listSql(spec, where, order));
        lists.set(key, statement);
      }
      return statement;
    },
    inSnapshot: (writable, read) => (writable ? read() : conn.inReadTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', read)),
    isMissingParent: (error) => isPgServerError(error) && error.code === FOREIGN_KEY_VIOLATION,

    insertWorkflow: conn.statement(`INSERT INTO workflows ("id", "name", "version", "definition", "createdAt", "updatedAt", "metadata")
      VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7)`, { bytea: [4, 7] }),
    getWorkflow: conn.statement(`SELECT ${WORKFLOW_COLUMNS} FROM workflows t WHERE t."id" = $1`),
    updateWorkflow: conn.statement(`UPDATE workflows SET "name" = COALESCE($2, "name"), "version" = COALESCE($3, "version"),
      "definition" = COALESCE($4, "definition"), "createdAt" = COALESCE($5::timestamptz, "createdAt"), "updatedAt" = $6::timestamptz,
      "metadata" = COALESCE($7, "metadata") WHERE "id" = $1`, { bytea: [4, 7] }),
    deleteWorkflow: conn.statement('DELETE FROM workflows WHERE "id" = $1'),

    insertSession: conn.statement(`INSERT INTO aaow_sessions ("id", "workflowId", "workflowSnapshot", "status", "createdAt", "updatedAt", "metadata")
      VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7)`, { bytea: [3, 7] }),
    getSession: conn.statement(`SELECT ${SESSION_COLUMNS} FROM aaow_sessions t WHERE t."id" = $1`),
    updateSession: conn.statement(`UPDATE aaow_sessions SET "workflowId" = COALESCE($2, "workflowId"),
      "workflowSnapshot" = COALESCE($3, "workflowSnapshot"), "status" = COALESCE($4, "status"),
      "createdAt" = COALESCE($5::timestamptz, "createdAt"), "updatedAt" = $6::timestamptz, "metadata" = COALESCE($7, "metadata")
      WHERE "id" = $1`, { bytea: [3, 7] }),
    deleteSession: conn.statement('DELETE FROM aaow_sessions WHERE "id" = $1'),
    deleteFinishedSessions: conn.statement(`DELETE FROM aaow_sessions WHERE "updatedAt" < $1::timestamptz
      AND "status" IN (SELECT jsonb_array_elements_text($2::jsonb))`),

    upsertExecutionState: conn.statement(`INSERT INTO execution_states ("id", "sessionId", "budgetPoolId", "currentNodeId", "status",
        "startedAt", "completedAt", "metadata") VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8)
      ON CONFLICT ("sessionId") DO UPDATE SET "budgetPoolId" = excluded."budgetPoolId", "currentNodeId" = excluded."currentNodeId",
        "status" = excluded."status", "startedAt" = excluded."startedAt", "completedAt" = excluded."completedAt",
        "metadata" = excluded."metadata"`, { bytea: [8] }),
    getExecutionState: conn.statement(`SELECT ${EXECUTION_STATE_COLUMNS} FROM execution_states WHERE "sessionId" = $1`),
    executionStateExists: conn.statement('SELECT 1 AS found FROM execution_states WHERE "sessionId" = $1'),
    upsertNodeState: conn.statement(`INSERT INTO node_execution_states ("id", "sessionId", "nodeId", "status", "input", "output", "error",
        "startedAt", "completedAt", "retryCount", "pendingApprovalId", "metadata")
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz, $10, $11, $12)
      ON CONFLICT ("sessionId", "nodeId") DO UPDATE SET "status" = excluded."status", "input" = excluded."input",
        "output" = excluded."output", "error" = excluded."error", "startedAt" = excluded."startedAt",
        "completedAt" = excluded."completedAt", "retryCount" = excluded."retryCount",
        "pendingApprovalId" = excluded."pendingApprovalId", "metadata" = excluded."metadata"`, { bytea: [5, 6, 12] }),
    nodeStates: conn.statement(`SELECT ${NODE_COLUMNS} FROM node_execution_states WHERE "sessionId" = $1 ORDER BY rowid`),

    insertLlm: conn.statement(`INSERT INTO llm_executions ("id", "sessionId", "nodeId", "timestamp", "success", "text", "toolCalls",
        "usage_promptTokens", "usage_completionTokens", "usage_totalTokens", "error", "metadata")
      VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7, $8, $9, $10, $11, $12)`, { bytea: [7, 12] }),
    nodeLlm: conn.statement(`SELECT ${LLM_COLUMNS} FROM llm_executions t WHERE t."sessionId" = $1 AND t."nodeId" = $2
      ORDER BY t."timestamp", t.rowid`),

    insertPool: conn.statement(`INSERT INTO budget_pools ("id", "parentPoolId", "totalBudget", "usedBudget", "remainingBudget", "status",
        "createdAt", "metadata") VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8)`, { bytea: [8] }),
    getPool: conn.statement(`SELECT ${POOL_COLUMNS} FROM budget_pools t WHERE t."id" = $1`),
    updatePool: conn.statement(`UPDATE budget_pools SET "parentPoolId" = COALESCE($2, "parentPoolId"),
      "totalBudget" = COALESCE($3, "totalBudget"), "usedBudget" = COALESCE($4, "usedBudget"),
      "remainingBudget" = COALESCE($5, "remainingBudget"), "status" = COALESCE($6, "status"),
      "createdAt" = COALESCE($7::timestamptz, "createdAt"), "metadata" = COALESCE($8, "metadata") WHERE "id" = $1`, { bytea: [8] }),
    childPools: conn.statement(`SELECT ${POOL_COLUMNS} FROM budget_pools t WHERE t."parentPoolId" = $1 ORDER BY t."createdAt", t.rowid`),

    insertToolCall: conn.statement(`INSERT INTO tool_call_logs ("id", "executionId", "toolCallId", "toolName", "args", "result", "error",
        "timestamp", "duration") VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9)`, { bytea: [5, 6] }),
    executionToolCalls: conn.statement(`SELECT ${TOOL_COLUMNS} FROM tool_call_logs t WHERE t."executionId" = $1 ORDER BY t."timestamp", t.rowid`),

    insertApproval: conn.statement(`INSERT INTO approval_requests ("id", "sessionId", "nodeId", "type", "status", "context", "createdAt",
        "resolvedAt", "resolvedBy", "resolutionNotes") VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9, $10)`, { bytea: [6] }),
    getApproval: conn.statement(`SELECT ${APPROVAL_COLUMNS} FROM approval_requests t WHERE t."id" = $1`),
    updateApproval: conn.statement(`UPDATE approval_requests SET "nodeId" = COALESCE($2, "nodeId"), "type" = COALESCE($3, "type"),
      "status" = COALESCE($4, "status"), "context" = COALESCE($5, "context"), "createdAt" = COALESCE($6::timestamptz, "createdAt"),
      "resolvedAt" = COALESCE($7::timestamptz, "resolvedAt"), "resolvedBy" = COALESCE($8, "resolvedBy"),
      "resolutionNotes" = COALESCE($9, "resolutionNotes") WHERE "id" = $1`, { bytea: [5] }),
    resolveApproval: conn.statement(`UPDATE approval_requests SET "status" = $2, "resolvedAt" = $3::timestamptz, "resolvedBy" = $4,
      "resolutionNotes" = $5 WHERE "id" = $1 AND "status" = 'pending'`),
    approvalStatus: conn.statement('SELECT "status" FROM approval_requests WHERE "id" = $1'),

    insertStreamEvent: conn.statement(`INSERT INTO stream_events ("id", "streamId", "nodeId", "data", "timestamp", "sessionId")
      VALUES ($1, $2, $3, $4, $5::timestamptz, $6)`, { bytea: [4] }),
  };
}
