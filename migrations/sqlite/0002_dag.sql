-- DAG executor cache (seed 000): artifacts, execution trees, snapshots, execution state
-- The document's tables, columns and indexes, so that its SQL runs as written. Blob tables add
-- `compressed` (the row's blob is deflated; each row says so, whatever the settings are now)
-- and `size` (bytes before compression). Defaults keep SQLite's time form with milliseconds.
CREATE TABLE artifacts (
  dag_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  key TEXT NOT NULL,
  -- JSON text, or a deflated BLOB of that text when large (the storage class says which)
  value TEXT NOT NULL,
  created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  updated_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  PRIMARY KEY (dag_id, node_id, key)
);

CREATE TABLE execution_trees (
  dag_id TEXT PRIMARY KEY,
  tree_data BLOB NOT NULL,
  compressed INTEGER NOT NULL DEFAULT 0 CHECK (compressed IN (0, 1)),
  size INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  updated_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

-- The document keys snapshots by (dag_id, created_at), which collides for two snapshots in the
-- same millisecond: an INTEGER PRIMARY KEY keeps every one distinct and in insertion order.
CREATE TABLE snapshots (
  id INTEGER PRIMARY KEY,
  dag_id TEXT NOT NULL,
  snapshot_data BLOB NOT NULL,
  compressed INTEGER NOT NULL DEFAULT 0 CHECK (compressed IN (0, 1)),
  size INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE execution_state (
  dag_id TEXT NOT NULL,
  state_type TEXT NOT NULL CHECK (state_type IN ('active', 'pending')),
  state_data BLOB NOT NULL,
  compressed INTEGER NOT NULL DEFAULT 0 CHECK (compressed IN (0, 1)),
  size INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  updated_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  PRIMARY KEY (dag_id, state_type)
);

-- The document's indexes. An index entry ends with the rowid, so idx_snapshots_dag_id also
-- serves "this DAG's snapshots in id order" without a sort.
CREATE INDEX idx_artifacts_dag_id ON artifacts(dag_id);
CREATE INDEX idx_snapshots_dag_id ON snapshots(dag_id);
CREATE INDEX idx_execution_state_dag_id ON execution_state(dag_id);
