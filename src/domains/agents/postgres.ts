/** Every statement of store.agents on PostgreSQL (sqlite.ts has the same names). */
import type { PgConnection } from '../../backends/postgres/connection.ts';
import { toTsQueryText } from './search.ts';
import type { AgentsStatements } from './statements.ts';

const AGENT_COLUMNS = 'key, name, status, metadata, state_data, state_compressed, version, created_at, updated_at';
const EVENT_COLUMNS = 'id, event_type, timestamp, session_id, actor_type, actor_id, content, metadata, git_commit, created_at';
const TASK_COLUMNS = 'id, title, description, status, assigned_to, created_at, updated_at, metadata';
const SESSION_COLUMNS = 'id, agent_id, started_at, ended_at, status, metadata, created_at';

/**
 * A search's words through the same folding as the indexed content (flowstore_search_text, see
 * the migration), then plainto_tsquery, which reads words only. Written out in the WHERE clause
 * (not joined from FROM) so that a prepared statement's generic plan still uses the GIN index.
 * ts_rank with normalization 1 (divided by 1 + log of the length) stands for FTS5's bm25: more
 * hits first, shorter events among equals.
 */
const TS_QUERY = "plainto_tsquery('simple', flowstore_search_text($1))";

/** `$n` and `$n+1` as the page's limit (null: no limit) and offset. */
function page(order: string, at: number): string {
  return `ORDER BY ${order} LIMIT $${at}::bigint OFFSET $${at + 1}::bigint`;
}

/** The keys are COLLATE "C": a view's range [prefix:, prefix;) holds what it holds on SQLite. */
function prepareAgentStatements(conn: PgConnection) {
  const agents = `SELECT ${AGENT_COLUMNS} FROM agent_states WHERE is_deleted = 0`;
  return {
    upsertAgent: conn.statement(`INSERT INTO agent_states (key, agent_id, name, status, metadata, state_data, state_compressed,
        version, created_at, updated_at, is_deleted)
      VALUES ($1, $1, $2, $3, $4, $5, $6, $7, COALESCE($8::bigint, $10::bigint), COALESCE($9::bigint, $10::bigint), 0)
      ON CONFLICT (key) DO UPDATE SET name = excluded.name, status = excluded.status, metadata = excluded.metadata,
        state_data = excluded.state_data, state_compressed = excluded.state_compressed, version = excluded.version,
        created_at = CASE WHEN $8::bigint IS NOT NULL OR agent_states.is_deleted = 1 THEN excluded.created_at ELSE agent_states.created_at END,
        updated_at = excluded.updated_at, is_deleted = 0`, { bytea: [4, 5] }),
    loadAgent: conn.statement(`${agents} AND key = $1`),
    listAgents: {
      inPrefix: conn.statement(`${agents} AND key >= $1 AND key < $2 ${page('key', 3)}`),
      inPrefixByStatus: conn.statement(`${agents} AND key >= $1 AND key < $2 AND status = $3 ${page('key', 4)}`),
      inRoot: conn.statement(`${agents} AND strpos(key, ':') = 0 ${page('key', 1)}`),
      inRootByStatus: conn.statement(`${agents} AND strpos(key, ':') = 0 AND status = $1 ${page('key', 2)}`),
    },
    updateStatus: conn.statement('UPDATE agent_states SET status = $1, updated_at = $2::bigint WHERE key = $3 AND is_deleted = 0'),
    softDelete: conn.statement('UPDATE agent_states SET is_deleted = 1, updated_at = $1::bigint WHERE key = $2 AND is_deleted = 0'),

    insertTransition: conn.statement(`INSERT INTO state_transitions (id, agent_id, state_before, state_after, reason, timestamp, metadata)
      VALUES ($1, $2, $3, $4, $5, $6::bigint, $7)`, { bytea: [7] }),
    // rowid: an identity column standing for SQLite's, insertion order among transitions of one second.
    history: conn.statement(`SELECT id, agent_id, state_before, state_after, reason, timestamp, metadata FROM state_transitions
      WHERE agent_id = $1 ORDER BY timestamp DESC, rowid DESC LIMIT $2::bigint`),

    insertSnapshot: conn.statement(`INSERT INTO state_snapshots (id, agent_id, state_data, description, created_at, expires_at)
      VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint)`, { bytea: [3] }),
    listSnapshots: conn.statement(`SELECT id, agent_id, description, created_at, expires_at FROM state_snapshots
      WHERE agent_id = $1 AND (expires_at IS NULL OR expires_at > $2::bigint) ORDER BY created_at DESC, rowid DESC`),
    loadSnapshot: conn.statement(`SELECT id, agent_id, state_data, description, created_at, expires_at FROM state_snapshots
      WHERE id = $1 AND (expires_at IS NULL OR expires_at > $2::bigint)`),
    deleteExpiredSnapshots: {
      inPrefix: conn.statement(`DELETE FROM state_snapshots WHERE expires_at IS NOT NULL AND expires_at <= $3::bigint
        AND agent_id >= $1 AND agent_id < $2`),
      inRoot: conn.statement(`DELETE FROM state_snapshots WHERE expires_at IS NOT NULL AND expires_at <= $1::bigint
        AND strpos(agent_id, ':') = 0`),
    },
  };
}

function prepareRecordStatements(conn: PgConnection) {
  const tasks = (where: string, at: number) => conn.statement(`SELECT ${TASK_COLUMNS} FROM tasks ${where} ${page('created_at DESC, id', at)}`);
  const sessions = (where: string, at: number) => conn.statement(`SELECT ${SESSION_COLUMNS} FROM sessions ${where} ${page('started_at DESC, id', at)}`);
  // Retention (store.cleanup): the statuses come as one JSON array, bound like any value.
  const ended = 'ended_at < $1::bigint AND status IN (SELECT jsonb_array_elements_text($2::jsonb))';
  return {
    insertEvent: conn.statement(`INSERT INTO events (${EVENT_COLUMNS}) VALUES ($1, $2, $3::bigint, $4, $5, $6, $7, $8, $9, $10::bigint)`, { bytea: [8] }),
    eventsBySession: conn.statement(`SELECT ${EVENT_COLUMNS} FROM events WHERE session_id = $1 ORDER BY timestamp, rowid`),
    eventsByType: conn.statement(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_type = $1 ORDER BY timestamp DESC, rowid DESC LIMIT $2::bigint`),
    searchQuery: toTsQueryText,
    searchEvents: conn.statement(`SELECT ${EVENT_COLUMNS} FROM events WHERE search @@ ${TS_QUERY}
      ORDER BY ts_rank(search, ${TS_QUERY}, 1) DESC, timestamp DESC, rowid DESC LIMIT $2::bigint`),

    upsertTask: conn.statement(`INSERT INTO tasks (${TASK_COLUMNS})
      VALUES ($1, $2, $3, $4, $5, COALESCE($6::bigint, $9::bigint), COALESCE($7::bigint, $9::bigint), $8)
      ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description, status = excluded.status,
        assigned_to = excluded.assigned_to, created_at = COALESCE($6::bigint, tasks.created_at), updated_at = excluded.updated_at,
        metadata = excluded.metadata`, { bytea: [8] }),
    getTask: conn.statement(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`),
    listTasks: {
      all: tasks('', 1),
      byStatus: tasks('WHERE status = $1', 2),
      byAgent: tasks('WHERE assigned_to = $1', 2),
      byBoth: tasks('WHERE status = $1 AND assigned_to = $2', 3),
    },

    upsertSession: conn.statement(`INSERT INTO sessions (${SESSION_COLUMNS}) VALUES ($1, $2, COALESCE($3::bigint, $7::bigint), $4::bigint, $5, $6, $7::bigint)
      ON CONFLICT (id) DO UPDATE SET agent_id = excluded.agent_id, started_at = COALESCE($3::bigint, sessions.started_at),
        ended_at = excluded.ended_at, status = excluded.status, metadata = excluded.metadata`, { bytea: [6] }),
    endSession: conn.statement('UPDATE sessions SET status = $1, ended_at = $2::bigint WHERE id = $3'),
    deleteEndedSessionEvents: conn.statement(`DELETE FROM events WHERE session_id IN (SELECT id FROM sessions WHERE ${ended})`),
    deleteEndedSessions: conn.statement(`DELETE FROM sessions WHERE ${ended}`),
    getSession: conn.statement(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`),
    listSessions: {
      all: sessions('', 1),
      byStatus: sessions('WHERE status = $1', 2),
      byAgent: sessions('WHERE agent_id = $1', 2),
      byBoth: sessions('WHERE status = $1 AND agent_id = $2', 3),
    },

    migrationHistory: conn.statement('SELECT version, name, description, applied_at FROM flowstore_migrations ORDER BY version'),
  };
}

export function prepareAgents(conn: PgConnection): AgentsStatements {
  return { ...prepareAgentStatements(conn), ...prepareRecordStatements(conn) };
}
