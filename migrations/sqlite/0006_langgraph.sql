-- LangGraph checkpoints, channel blobs, pending writes and long-term memory items (flowstore/langgraph)
-- Laid out as LangGraph's PostgreSQL saver lays them out, not as its SQLite saver does: a
-- checkpoint row holds no channel values; each value is one row of lg_blobs per (thread,
-- namespace, channel, version), written only when a put says that version is new, and a
-- checkpoint is rebuilt on read from its channel_versions. Values are the saver's serde
-- bytes, deflated when large (each row says so in `compressed`).
CREATE TABLE lg_checkpoints (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL,
  checkpoint_id TEXT NOT NULL,
  parent_checkpoint_id TEXT,
  -- the checkpoint format version (checkpoint.v): below 4, pending sends are migrated on read
  v INTEGER NOT NULL,
  -- the checkpoint without its channel_values, through the serde
  type TEXT NOT NULL,
  checkpoint BLOB NOT NULL,
  compressed INTEGER NOT NULL CHECK (compressed IN (0, 1)),
  -- {channel: version as text}: the lg_blobs keys this checkpoint reads
  channel_versions TEXT NOT NULL,
  -- JSON text when metadata_type is 'json' (what list's filter reads), else the serde's bytes
  metadata_type TEXT NOT NULL,
  metadata BLOB NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);

CREATE TABLE lg_blobs (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL,
  channel TEXT NOT NULL,
  version TEXT NOT NULL,
  -- 'empty' (and no blob) for a channel that a put says changed but that has no value
  type TEXT NOT NULL,
  blob BLOB,
  compressed INTEGER NOT NULL CHECK (compressed IN (0, 1)),
  PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
);

CREATE TABLE lg_writes (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL,
  checkpoint_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  -- the write's index in its putWrites call, or WRITES_IDX_MAP's negative index for __error__, __interrupt__…
  idx INTEGER NOT NULL,
  channel TEXT NOT NULL,
  type TEXT NOT NULL,
  blob BLOB NOT NULL,
  compressed INTEGER NOT NULL CHECK (compressed IN (0, 1)),
  -- '' when putWrites had no taskPath; pending writes are read in (task_path, task_id, idx) order
  task_path TEXT NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);

-- FlowstoreStore (LangGraph's BaseStore): namespace labels joined by '.', which no label may hold.
CREATE TABLE lg_items (
  namespace TEXT NOT NULL,
  key TEXT NOT NULL,
  -- flowstore JSON text, or a deflated BLOB of it when value_compressed = 1
  value BLOB NOT NULL,
  value_compressed INTEGER NOT NULL CHECK (value_compressed IN (0, 1)),
  -- the text the full-text index holds (NULL when the item is not searchable by query)
  search_text TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- minutes; expires_at moves to now + ttl on a put, and on a read that refreshes
  ttl_minutes REAL,
  expires_at TEXT,
  PRIMARY KEY (namespace, key)
);
CREATE INDEX idx_lg_items_updated ON lg_items(namespace, updated_at);
CREATE INDEX idx_lg_items_expires ON lg_items(expires_at) WHERE expires_at IS NOT NULL;

CREATE VIRTUAL TABLE lg_items_fts USING fts5(search_text, content = 'lg_items', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER lg_items_fts_insert AFTER INSERT ON lg_items WHEN new.search_text IS NOT NULL BEGIN
  INSERT INTO lg_items_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER lg_items_fts_delete AFTER DELETE ON lg_items WHEN old.search_text IS NOT NULL BEGIN
  INSERT INTO lg_items_fts (lg_items_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER lg_items_fts_update AFTER UPDATE OF search_text ON lg_items BEGIN
  INSERT INTO lg_items_fts (lg_items_fts, rowid, search_text) SELECT 'delete', old.rowid, old.search_text WHERE old.search_text IS NOT NULL;
  INSERT INTO lg_items_fts (rowid, search_text) SELECT new.rowid, new.search_text WHERE new.search_text IS NOT NULL;
END;
