/**
 * What store.agents needs of a backend: the same names on SQLite and PostgreSQL, each
 * backend's SQL in its own file (sqlite.ts, postgres.ts), rows in one shape. Times are
 * integer Unix seconds on both; "no limit" is a null limit.
 */
import type { Statement } from '../../engine/op.ts';

export interface AgentsStatements {
  /**
   * `(key, name, status, metadata, stateData, stateCompressed, version, createdAt or null,
   * updatedAt or null, now)`: creates or replaces an agent, bringing a soft-deleted one back;
   * `createdAt` is kept from the first save unless given (or the agent was deleted).
   */
  upsertAgent: Statement;
  /** `(key)`: a live agent. */
  loadAgent: Statement;
  /** By key; `inPrefix…(from, to, …)` takes the view's key range, `inRoot…` the keys without ':'. */
  listAgents: {
    /** `(from, to, limit, offset)` */
    inPrefix: Statement;
    /** `(from, to, status, limit, offset)` */
    inPrefixByStatus: Statement;
    /** `(limit, offset)` */
    inRoot: Statement;
    /** `(status, limit, offset)` */
    inRootByStatus: Statement;
  };
  /** `(status, now, key)`, live agents only. */
  updateStatus: Statement;
  /** `(now, key)`, live agents only. */
  softDelete: Statement;

  /** `(id, agentKey, stateBefore, stateAfter, reason, timestamp, metadata)` */
  insertTransition: Statement;
  /** `(agentKey, limit)`: newest first, insertion order among transitions of one second. */
  history: Statement;
  /** `(id, agentKey, stateData, description, createdAt, expiresAt)` */
  insertSnapshot: Statement;
  /** `(agentKey, now)`: unexpired, newest first. */
  listSnapshots: Statement;
  /** `(id, now)`: unexpired. */
  loadSnapshot: Statement;
  deleteExpiredSnapshots: {
    /** `(from, to, now)` */
    inPrefix: Statement;
    /** `(now)` */
    inRoot: Statement;
  };

  /** `(id, eventType, timestamp, sessionId, actorType, actorId, content, metadata, gitCommit, createdAt)` */
  insertEvent: Statement;
  /** `(sessionId)`: oldest first. */
  eventsBySession: Statement;
  /** `(eventType, limit)`: newest first. */
  eventsByType: Statement;
  /**
   * What this backend's full-text search binds for what a user typed (always words, never
   * syntax), or undefined when nothing searchable is left.
   */
  searchQuery(text: string): string | undefined;
  /** `(searchQuery's result, limit)`: events holding every word, best match first. */
  searchEvents: Statement;

  /** `(id, title, description, status, assignedTo, createdAt or null, updatedAt or null, metadata, now)` */
  upsertTask: Statement;
  getTask: Statement;
  /** Newest first; `(filters…, limit, offset)`. */
  listTasks: { all: Statement; byStatus: Statement; byAgent: Statement; byBoth: Statement };

  /** `(id, agentId, startedAt or null, endedAt, status, metadata, now)` */
  upsertSession: Statement;
  /** `(status, endedAt, id)` */
  endSession: Statement;
  /** Retention: `(endedBefore, statuses as a JSON array)`, the events of such sessions, then the sessions. */
  deleteEndedSessionEvents: Statement;
  deleteEndedSessions: Statement;
  getSession: Statement;
  /** Most recently started first; `(filters…, limit, offset)`. */
  listSessions: { all: Statement; byStatus: Statement; byAgent: Statement; byBoth: Statement };

  /** The engine's own table: every domain's migrations, in order. */
  migrationHistory: Statement;
}

/** Rows as both backends return them: JSON and state data as text or bytes (PostgreSQL: always bytes). */
export interface AgentRow {
  key: string;
  name: string;
  status: string;
  metadata: string | Uint8Array;
  state_data: string | Uint8Array;
  state_compressed: number;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface TransitionRow {
  id: string;
  agent_id: string;
  state_before: string;
  state_after: string;
  reason: string | null;
  timestamp: number;
  metadata: string | Uint8Array | null;
}

export interface SnapshotRow {
  id: string;
  agent_id: string;
  state_data?: string | Uint8Array;
  description: string | null;
  created_at: number;
  expires_at: number | null;
}

export interface EventRow {
  id: string;
  event_type: string;
  timestamp: number;
  session_id: string;
  actor_type: string;
  actor_id: string;
  content: string;
  metadata: string | Uint8Array | null;
  git_commit: string | null;
  created_at: number;
}

export interface TaskRow {
  id: string;
  title: string;
  description: string | null;
  status: string;
  assigned_to: string | null;
  created_at: number;
  updated_at: number;
  metadata: string | Uint8Array | null;
}

export interface SessionRow {
  id: string;
  agent_id: string;
  started_at: number;
  ended_at: number | null;
  status: string;
  metadata: string | Uint8Array | null;
  created_at: number;
}

export interface MigrationRow {
  version: number;
  name: string;
  description: string;
  /** SQLite-form UTC text on both backends (PostgreSQL's connection parses timestamptz into it). */
  applied_at: string;
}
