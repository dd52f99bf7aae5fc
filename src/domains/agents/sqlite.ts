/** Every statement of store.agents on SQLite (postgres.ts has the same names). */
import type { DatabaseSync } from 'node:sqlite';
import { toFtsQuery } from './search.ts';
import type { AgentsStatements } from './statements.ts';

const AGENT_COLUMNS = 'key, name, status, metadata, state_data, state_compressed, version, created_at, updated_at';
const EVENT_COLUMNS = 'id, event_type, timestamp, session_id, actor_type, actor_id, content, metadata, git_commit, created_at';
const TASK_COLUMNS = 'id, title, description, status, assigned_to, created_at, updated_at, metadata';
const SESSION_COLUMNS = 'id, agent_id, started_at, ended_at, status, metadata, created_at';

/**
 * A prefixed view's agents are the keys in [prefix + ':', prefix + ';') (';' follows ':'), a range
 * on the primary key; the store's own view (no prefix) holds the keys without any ':'.
 */
const IN_PREFIX = 'key >= ? AND key < ?';
const IN_ROOT = "instr(key, ':') = 0";
const PAGE = 'ORDER BY key LIMIT COALESCE(?, -1) OFFSET ?';

function prepareAgentStatements(db: DatabaseSync) {
  return {
    // Positional parameters: node:sqlite binds them several times faster than named ones.
    // A save brings a soft-deleted agent back; created_at is kept from the first save unless given.
    upsertAgent: db.prepare(`INSERT INTO agent_states (key, agent_id, name, status, metadata, state_data, state_compressed,
        version, created_at, updated_at, is_deleted)
      VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(?8, ?10), COALESCE(?9, ?10), 0)
      ON CONFLICT (key) DO UPDATE SET name = excluded.name, status = excluded.status, metadata = excluded.metadata,
        state_data = excluded.state_data, state_compressed = excluded.state_compressed, version = excluded.version,
        created_at = CASE WHEN ?8 IS NOT NULL OR agent_states.is_deleted = 1 THEN excluded.created_at ELSE agent_states.created_at END,
        updated_at = excluded.updated_at, is_deleted = 0`),
    loadAgent: db.prepare(`SELECT ${AGENT_COLUMNS} FROM agent_states WHERE key = ? AND is_deleted = 0`),
    listAgents: {
      inPrefix: db.prepare(`SELECT ${AGENT_COLUMNS} FROM agent_states WHERE is_deleted = 0 AND ${IN_PREFIX} ${PAGE}`),
      inPrefixByStatus: db.prepare(`SELECT ${AGENT_COLUMNS} FROM agent_states WHERE is_deleted = 0 AND ${IN_PREFIX} AND status = ? ${PAGE}`),
      inRoot: db.prepare(`SELECT ${AGENT_COLUMNS} FROM agent_states WHERE is_deleted = 0 AND ${IN_ROOT} ${PAGE}`),
      inRootByStatus: db.prepare(`SELECT ${AGENT_COLUMNS} FROM agent_states WHERE is_deleted = 0 AND ${IN_ROOT} AND status = ? ${PAGE}`),
    },
    updateStatus: db.prepare('UPDATE agent_states SET status = ?, updated_at = ? WHERE key = ? AND is_deleted = 0'),
    softDelete: db.prepare('UPDATE agent_states SET is_deleted = 1, updated_at = ? WHERE key = ? AND is_deleted = 0'),

    insertTransition: db.prepare(`INSERT INTO state_transitions (id, agent_id, state_before, state_after, reason, timestamp, metadata)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    // Seconds tie often: rowid keeps insertion order among transitions of the same second.
    history: db.prepare(`SELECT id, agent_id, state_before, state_after, reason, timestamp, metadata FROM state_transitions
      WHERE agent_id = ? ORDER BY timestamp DESC, rowid DESC LIMIT ?`),

    insertSnapshot: db.prepare(`INSERT INTO state_snapshots (id, agent_id, state_data, description, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?)`),
    listSnapshots: db.prepare(`SELECT id, agent_id, description, created_at, expires_at FROM state_snapshots
      WHERE agent_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC, rowid DESC`),
    loadSnapshot: db.prepare(`SELECT id, agent_id, state_data, description, created_at, expires_at FROM state_snapshots
      WHERE id = ? AND (expires_at IS NULL OR expires_at > ?)`),
    deleteExpiredSnapshots: {
      inPrefix: db.prepare(`DELETE FROM state_snapshots WHERE expires_at IS NOT NULL AND expires_at <= ?3
        AND agent_id >= ?1 AND agent_id < ?2`),
      inRoot: db.prepare(`DELETE FROM state_snapshots WHERE expires_at IS NOT NULL AND expires_at <= ?
        AND instr(agent_id, ':') = 0`),
    },
  };
}

function prepareRecordStatements(db: DatabaseSync) {
  return {
    insertEvent: db.prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    eventsBySession: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE session_id = ? ORDER BY timestamp, rowid`),
    eventsByType: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_type = ? ORDER BY timestamp DESC, rowid DESC LIMIT COALESCE(?, -1)`),
    searchQuery: toFtsQuery,
    // bm25 rank first, newest first among equals.
    searchEvents: db.prepare(`SELECT ${EVENT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')}
      FROM events_fts f JOIN events e ON e.id = f.event_id
      WHERE events_fts MATCH ? ORDER BY f.rank, e.timestamp DESC LIMIT ?`),

    upsertTask: db.prepare(`INSERT INTO tasks (${TASK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(?6, ?9), COALESCE(?7, ?9), ?8)
      ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description, status = excluded.status,
        assigned_to = excluded.assigned_to, created_at = COALESCE(?6, tasks.created_at), updated_at = excluded.updated_at,
        metadata = excluded.metadata`),
    getTask: db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ?`),
    listTasks: {
      all: db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks ORDER BY created_at DESC, id LIMIT COALESCE(?, -1) OFFSET ?`),
      byStatus: db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks WHERE status = ? ORDER BY created_at DESC, id LIMIT COALESCE(?, -1) OFFSET ?`),
      byAgent: db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks WHERE assigned_to = ? ORDER BY created_at DESC, id LIMIT COALESCE(?, -1) OFFSET ?`),
      byBoth: db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks WHERE status = ? AND assigned_to = ? ORDER BY created_at DESC, id LIMIT COALESCE(?, -1) OFFSET ?`),
    },

    upsertSession: db.prepare(`INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (?1, ?2, COALESCE(?3, ?7), ?4, ?5, ?6, ?7)
      ON CONFLICT (id) DO UPDATE SET agent_id = excluded.agent_id, started_at = COALESCE(?3, sessions.started_at),
        ended_at = excluded.ended_at, status = excluded.status, metadata = excluded.metadata`),
    endSession: db.prepare('UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?'),
    // Retention (store.cleanup): sessions that ended before ?1 with one of the statuses in the JSON array ?2, and their events.
    deleteEndedSessionEvents: db.prepare(`DELETE FROM events WHERE session_id IN
      (SELECT id FROM sessions WHERE ended_at < ?1 AND status IN (SELECT value FROM json_each(?2)))`),
    deleteEndedSessions: db.prepare('DELETE FROM sessions WHERE ended_at < ?1 AND status IN (SELECT value FROM json_each(?2))'),
    getSession: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`),
    listSessions: {
      all: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions ORDER BY started_at DESC, id LIMIT COALESCE(?, -1) OFFSET ?`),
      byStatus: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE status = ? ORDER BY started_at DESC, id LIMIT COALESCE(?, -1) OFFSET ?`),
      byAgent: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE agent_id = ? ORDER BY started_at DESC, id LIMIT COALESCE(?, -1) OFFSET ?`),
      byBoth: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE status = ? AND agent_id = ? ORDER BY started_at DESC, id LIMIT COALESCE(?, -1) OFFSET ?`),
    },

    // The engine's own table: every domain's migrations.
    migrationHistory: db.prepare('SELECT version, name, description, applied_at FROM flowstore_migrations ORDER BY version'),
  };
}

export function prepareAgents(db: DatabaseSync): AgentsStatements {
  return { ...prepareAgentStatements(db), ...prepareRecordStatements(db) };
}
