-- agent state store (seed 004): agent states, transitions, snapshots, searchable events, tasks, sessions
-- The document's tables, columns and indexes, so that its SQL runs as written. Times are integer
-- Unix seconds, as in the document. A view made by withPrefix('worker') stores its agents under
-- `worker:<agentId>` in both `key` and `agent_id` (here and in state_transitions and
-- state_snapshots), so agent_id stays UNIQUE while two prefixes hold the same agent id.
CREATE TABLE agent_states (
  key TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  metadata TEXT NOT NULL,
  -- text, or a deflated BLOB of that text when state_compressed = 1 (each row says which)
  state_data TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  is_deleted INTEGER NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
  state_compressed INTEGER NOT NULL DEFAULT 0 CHECK (state_compressed IN (0, 1))
);
-- Partial: listing and filtering only ever look at live agents.
CREATE INDEX idx_agent_states_status ON agent_states(status) WHERE is_deleted = 0;
CREATE INDEX idx_agent_states_updated_at ON agent_states(updated_at);

CREATE TABLE state_transitions (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  state_before TEXT NOT NULL,
  state_after TEXT NOT NULL,
  reason TEXT,
  timestamp INTEGER NOT NULL,
  metadata TEXT
);
CREATE INDEX idx_state_transitions_agent_timestamp ON state_transitions(agent_id, timestamp);
CREATE INDEX idx_state_transitions_timestamp ON state_transitions(timestamp);

CREATE TABLE state_snapshots (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  state_data TEXT NOT NULL,
  description TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);
CREATE INDEX idx_state_snapshots_agent_created ON state_snapshots(agent_id, created_at);
CREATE INDEX idx_state_snapshots_expires_at ON state_snapshots(expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  event_type TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  content TEXT NOT NULL,
  metadata TEXT,
  git_commit TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX idx_events_session_timestamp ON events(session_id, timestamp);
CREATE INDEX idx_events_type_timestamp ON events(event_type, timestamp);
CREATE INDEX idx_events_actor_timestamp ON events(actor_id, timestamp);
CREATE INDEX idx_events_timestamp ON events(timestamp);

-- Full-text index on event content. It keeps its own copy of the text and the event id rather
-- than pointing at events' rowid: a table with a TEXT primary key may have its rowids renumbered
-- by VACUUM, which would silently detach an external-content index.
CREATE VIRTUAL TABLE events_fts USING fts5(content, event_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
  INSERT INTO events_fts (content, event_id) VALUES (new.content, new.id);
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
  DELETE FROM events_fts WHERE event_id = old.id;
END;
CREATE TRIGGER events_fts_update AFTER UPDATE OF content, id ON events BEGIN
  DELETE FROM events_fts WHERE event_id = old.id;
  INSERT INTO events_fts (content, event_id) VALUES (new.content, new.id);
END;

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL,
  assigned_to TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  metadata TEXT
);
CREATE INDEX idx_tasks_status_created ON tasks(status, created_at);
CREATE INDEX idx_tasks_assigned_status ON tasks(assigned_to, status, created_at);
CREATE INDEX idx_tasks_created ON tasks(created_at);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  status TEXT NOT NULL,
  metadata TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX idx_sessions_agent_status ON sessions(agent_id, status, started_at);
CREATE INDEX idx_sessions_status_started ON sessions(status, started_at);
CREATE INDEX idx_sessions_started ON sessions(started_at);
