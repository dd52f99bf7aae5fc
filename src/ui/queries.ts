/**
 * Every SQL statement the dashboard runs, in one place: listings the public API does not
 * offer (all DAG ids, agent prefixes, counts per table). Plain portable SQL only (SELECT,
 * COUNT, GROUP BY, LIMIT/OFFSET, WITH RECURSIVE; quoted identifiers; `?` placeholders), over
 * the tables and columns both backends share, and each one index-backed: test/ui-queries.test.ts
 * checks every plan. Values are always bound; identifiers come from the constants below.
 *
 * @example
 * ```ts
 * const counts = await domainCounts(store.query);
 * ```
 */
import type { Namespaces, Store } from '../store.ts';
import { LG_SQL } from './queries-langgraph.ts';

export type Query = Namespaces['query'];

const queries = new WeakMap<Store, Query>();

/**
 * `store.query` for the statements of this file, which write `?` for each value: on
 * PostgreSQL, where values are `$1`, `$2`…, they are numbered in order (no statement
 * here has a `?` anywhere else).
 */
export function queryOf(store: Store): Query {
  let query = queries.get(store);
  if (!query) {
    query = store.backend === 'postgres'
      ? (sql, params) => { let n = 0; return store.query(sql.replace(/\?/g, () => `$${++n}`), params); }
      : store.query;
    queries.set(store, query);
  }
  return query;
}

/** The tables counted on the overview, by domain. Constants: they are the allow-list of names put in SQL. */
export const COUNTED_TABLES = {
  dag: ['artifacts', 'execution_trees', 'snapshots', 'execution_state'],
  definitions: ['workflow_files', 'workflow_phases'],
  agents: ['agent_states', 'state_transitions', 'state_snapshots', 'events', 'tasks', 'sessions'],
  aaow: ['workflows', 'aaow_sessions', 'llm_executions', 'approval_requests', 'budget_pools', 'tool_call_logs', 'stream_events'],
  langgraph: ['lg_checkpoints', 'lg_blobs', 'lg_writes', 'lg_items'],
} as const;

export type Domain = 'runs' | keyof typeof COUNTED_TABLES;

const DAG_TABLES = ['artifacts', 'execution_trees', 'snapshots', 'execution_state'] as const;

function dagIdStatements(op: '>' | '>='): Record<(typeof DAG_TABLES)[number], string> {
  return Object.fromEntries(DAG_TABLES.map((t) => [t, `SELECT DISTINCT dag_id FROM ${t} WHERE dag_id ${op} ? ORDER BY dag_id LIMIT ?`])) as Record<(typeof DAG_TABLES)[number], string>;
}

/** Every statement, by name; the plan test walks this object. */
export const SQL = {
  runStatusCounts: 'SELECT status, COUNT(*) AS n FROM workflow_state GROUP BY status',
  count: Object.fromEntries(Object.values(COUNTED_TABLES).flat().map((table) => [table, `SELECT COUNT(*) AS n FROM ${table}`])) as Record<string, string>,
  pendingApprovals: `SELECT COUNT(*) AS n FROM approval_requests WHERE "status" = 'pending'`,
  // A loose index scan: one index probe per distinct pipeline, not a pass over every run.
  pipelines: `WITH RECURSIVE p(id, depth) AS (
      SELECT MIN(pipeline_id), 1 FROM workflow_state
      UNION ALL
      SELECT (SELECT MIN(pipeline_id) FROM workflow_state WHERE pipeline_id > p.id), depth + 1 FROM p WHERE p.id IS NOT NULL AND depth < ?)
    SELECT id FROM p WHERE id IS NOT NULL`,
  eventTypes: `WITH RECURSIVE t(id, depth) AS (
      SELECT MIN(event_type), 1 FROM events
      UNION ALL
      SELECT (SELECT MIN(event_type) FROM events WHERE event_type > t.id), depth + 1 FROM t WHERE t.id IS NOT NULL AND depth < ?)
    SELECT id FROM t WHERE id IS NOT NULL`,
  // Ids after a cursor (the next page) and from a typed id on (a jump), in each table that holds DAG rows.
  dagIdsAfter: dagIdStatements('>'),
  dagIdsFrom: dagIdStatements('>='),
  dagArtifacts: 'SELECT COUNT(*) AS artifacts, COUNT(DISTINCT node_id) AS nodes FROM artifacts WHERE dag_id = ?',
  dagTree: 'SELECT size FROM execution_trees WHERE dag_id = ?',
  dagSnapshots: 'SELECT COUNT(*) AS n FROM snapshots WHERE dag_id = ?',
  dagStates: 'SELECT state_type, size FROM execution_state WHERE dag_id = ?',
  agentKeysAfter: 'SELECT key FROM agent_states WHERE key > ? ORDER BY key LIMIT ?',
  recentEvents: `SELECT id, event_type, timestamp, session_id, actor_type, actor_id, content
    FROM events ORDER BY timestamp DESC LIMIT ? OFFSET ?`,
  recentLlm: `SELECT "id", "sessionId", "nodeId", "timestamp", "success", "usage_promptTokens", "usage_completionTokens", "usage_totalTokens"
    FROM llm_executions ORDER BY "timestamp" DESC LIMIT ? OFFSET ?`,
  sessionLlmNodes: 'SELECT "id", "nodeId" FROM llm_executions WHERE "sessionId" = ? ORDER BY "timestamp" DESC LIMIT ?',
  aaowStatusCounts: 'SELECT "status", COUNT(*) AS n FROM aaow_sessions GROUP BY "status"',
  rootPools: 'SELECT "id" FROM budget_pools WHERE "parentPoolId" IS NULL ORDER BY "id" LIMIT ? OFFSET ?',
  childPoolCount: 'SELECT COUNT(*) AS n FROM budget_pools WHERE "parentPoolId" = ?',
  phaseProblems: `SELECT file_path, task, status FROM workflow_phases WHERE status > '' ORDER BY status, file_path, task LIMIT ?`,
  hasArtifacts: 'SELECT dag_id FROM artifacts WHERE dag_id = ? LIMIT 1',
  hasEvents: 'SELECT id FROM events WHERE session_id = ? LIMIT 1',
  // The LangGraph pages' statements live with their helpers; listed here so that every plan is checked.
  langgraph: LG_SQL,
} as const;

const num = (value: unknown): number => Number(value ?? 0);

export interface DomainCounts {
  runs: { total: number; byStatus: Record<string, number> };
  tables: Record<string, number>;
  pendingApprovals: number;
}

/** Row counts per table, and runs per status; issued together so that they travel to the readers in one turn. */
export async function domainCounts(query: Query): Promise<DomainCounts> {
  const tables = Object.keys(SQL.count);
  const [statusRows, pending, ...counts] = await Promise.all([
    query(SQL.runStatusCounts),
    query(SQL.pendingApprovals),
    ...tables.map((table) => query(SQL.count[table]!)),
  ]);
  const byStatus: Record<string, number> = {};
  let total = 0;
  for (const row of statusRows!) {
    byStatus[String(row.status)] = num(row.n);
    total += num(row.n);
  }
  return {
    runs: { total, byStatus },
    tables: Object.fromEntries(tables.map((table, i) => [table, num(counts[i]![0]?.n)])),
    pendingApprovals: num(pending![0]?.n),
  };
}

export async function pipelines(query: Query, max = 200): Promise<string[]> {
  return (await query(SQL.pipelines, [max])).map((row) => String(row.id));
}

export async function eventTypes(query: Query, max = 100): Promise<string[]> {
  return (await query(SQL.eventTypes, [max])).map((row) => String(row.id));
}

/** DAG ids after the cursor (or from it, inclusive), in id order: the first `limit` of the four tables' ids merged. */
export async function dagIds(query: Query, cursor: { after: string } | { from: string }, limit: number): Promise<{ ids: string[]; more: boolean }> {
  const [statements, value] = 'after' in cursor ? [SQL.dagIdsAfter, cursor.after] : [SQL.dagIdsFrom, cursor.from];
  const lists = await Promise.all(Object.values(statements).map((sql) => query(sql, [value, limit + 1])));
  const ids = [...new Set(lists.flat().map((row) => String(row.dag_id)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { ids: ids.slice(0, limit), more: ids.length > limit };
}

export interface DagSummary {
  id: string;
  nodes: number;
  artifacts: number;
  treeBytes: number | null;
  snapshots: number;
  activeBytes: number | null;
  pendingBytes: number | null;
}

export async function dagSummary(query: Query, id: string): Promise<DagSummary> {
  const [artifacts, tree, snapshots, states] = await Promise.all([
    query(SQL.dagArtifacts, [id]), query(SQL.dagTree, [id]), query(SQL.dagSnapshots, [id]), query(SQL.dagStates, [id]),
  ]);
  const state = (type: string) => {
    const row = states.find((r) => r.state_type === type);
    return row ? num(row.size) : null;
  };
  return {
    id,
    nodes: num(artifacts[0]?.nodes),
    artifacts: num(artifacts[0]?.artifacts),
    treeBytes: tree[0] ? num(tree[0].size) : null,
    snapshots: num(snapshots[0]?.n),
    activeBytes: state('active'),
    pendingBytes: state('pending'),
  };
}

/**
 * The views (key prefixes) that hold agents: keys are `prefix:agentId`, or a bare id in the
 * store's own view (''). Walks the key index, jumping past each prefix found (';' follows ':'),
 * so the cost is one probe per prefix plus the store's own agents, capped at `maxProbes` keys.
 */
export async function agentPrefixes(query: Query, maxProbes = 400): Promise<{ prefixes: string[]; complete: boolean }> {
  const found = new Set<string>();
  let cursor = '';
  let probes = 0;
  while (probes < maxProbes) {
    const rows = await query(SQL.agentKeysAfter, [cursor, 50]);
    if (rows.length === 0) return { prefixes: [...found].sort(), complete: true };
    for (const row of rows) {
      probes++;
      const key = String(row.key);
      const colon = key.indexOf(':');
      if (colon === -1) {
        found.add('');
        cursor = key;
        continue;
      }
      found.add(key.slice(0, colon));
      cursor = `${key.slice(0, colon)};`;
      break;
    }
  }
  return { prefixes: [...found].sort(), complete: false };
}

export async function recentEvents(query: Query, limit: number, offset: number): Promise<Record<string, unknown>[]> {
  return query(SQL.recentEvents, [limit, offset]);
}

export async function recentLlm(query: Query, limit: number, offset: number): Promise<Record<string, unknown>[]> {
  return query(SQL.recentLlm, [limit, offset]);
}

/** Which node each of a session's newest LLM executions ran for (the API's records do not carry it). */
export async function sessionLlmNodes(query: Query, sessionId: string, limit: number): Promise<Map<string, string>> {
  return new Map((await query(SQL.sessionLlmNodes, [sessionId, limit])).map((row) => [String(row.id), String(row.nodeId)]));
}

export async function aaowStatusCounts(query: Query): Promise<Record<string, number>> {
  return Object.fromEntries((await query(SQL.aaowStatusCounts)).map((row) => [String(row.status), num(row.n)]));
}

export async function rootPools(query: Query, limit: number, offset: number): Promise<string[]> {
  return (await query(SQL.rootPools, [limit, offset])).map((row) => String(row.id));
}

export async function childPoolCount(query: Query, id: string): Promise<number> {
  return num((await query(SQL.childPoolCount, [id]))[0]?.n);
}

export async function phaseProblems(query: Query, limit: number): Promise<{ path: string; task: string; status: string }[]> {
  return (await query(SQL.phaseProblems, [limit])).map((row) => ({ path: String(row.file_path), task: String(row.task), status: String(row.status) }));
}

/** What else in the store carries a run's id: the demo's runner uses one id for its run, DAG, events and aaow session. */
export async function relatedToRun(query: Query, id: string): Promise<{ dag: boolean; events: boolean }> {
  const [artifacts, events] = await Promise.all([query(SQL.hasArtifacts, [id]), query(SQL.hasEvents, [id])]);
  return { dag: artifacts.length > 0, events: events.length > 0 };
}
