-- LangGraph checkpoints, channel blobs, pending writes and long-term memory items (flowstore/langgraph)
-- The layout of migrations/sqlite/0006_langgraph.sql: one blob per (thread, namespace, channel,
-- version), a checkpoint rebuilt from its channel_versions. Ids sort by code point (COLLATE "C"),
-- as LangGraph's writesSortKey and SQLite do.
CREATE TABLE lg_checkpoints (
  thread_id text COLLATE "C" NOT NULL,
  checkpoint_ns text COLLATE "C" NOT NULL,
  checkpoint_id text COLLATE "C" NOT NULL,
  parent_checkpoint_id text COLLATE "C",
  v bigint NOT NULL,
  type text NOT NULL,
  checkpoint bytea NOT NULL,
  compressed smallint NOT NULL CHECK (compressed IN (0, 1)),
  -- {channel: version as text}: the lg_blobs keys this checkpoint reads
  channel_versions text NOT NULL,
  -- UTF-8 JSON when metadata_type is 'json' (what list's filter reads), else the serde's bytes
  metadata_type text NOT NULL,
  metadata bytea NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);

CREATE TABLE lg_blobs (
  thread_id text COLLATE "C" NOT NULL,
  checkpoint_ns text COLLATE "C" NOT NULL,
  channel text COLLATE "C" NOT NULL,
  version text COLLATE "C" NOT NULL,
  type text NOT NULL,
  blob bytea,
  compressed smallint NOT NULL CHECK (compressed IN (0, 1)),
  PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
);

CREATE TABLE lg_writes (
  thread_id text COLLATE "C" NOT NULL,
  checkpoint_ns text COLLATE "C" NOT NULL,
  checkpoint_id text COLLATE "C" NOT NULL,
  task_id text COLLATE "C" NOT NULL,
  idx bigint NOT NULL,
  channel text COLLATE "C" NOT NULL,
  type text NOT NULL,
  blob bytea NOT NULL,
  compressed smallint NOT NULL CHECK (compressed IN (0, 1)),
  task_path text COLLATE "C" NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);

CREATE TABLE lg_items (
  namespace text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  value bytea NOT NULL,
  value_compressed smallint NOT NULL CHECK (value_compressed IN (0, 1)),
  search_text text,
  -- what query searches (words, the 'simple' configuration: no stemming, no stop words)
  search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  ttl_minutes double precision,
  expires_at timestamptz,
  PRIMARY KEY (namespace, key)
);
CREATE INDEX idx_lg_items_updated ON lg_items(namespace, updated_at);
CREATE INDEX idx_lg_items_expires ON lg_items(expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX idx_lg_items_search ON lg_items USING gin (search_vector);
