-- workflow definitions (seed 002): the workflow_files and workflow_phases tables and the indexes the document shows
-- SQLite's tables, columns and indexes (see migrations/sqlite/0003_definitions.sql). Paths and
-- tasks sort and compare as SQLite does (by code point), whatever the database's collation: the
-- topic ranges of the queries rely on it.
CREATE TABLE workflow_files (
  file_path text COLLATE "C" PRIMARY KEY,
  file_hash text NOT NULL,
  loaded_at timestamptz DEFAULT now(),
  last_modified timestamptz,
  -- Why the file's last read failed to parse (its previous phases stay); NULL when it loaded.
  parse_error text
);

CREATE TABLE workflow_phases (
  file_path text COLLATE "C" NOT NULL REFERENCES workflow_files (file_path) ON DELETE CASCADE,
  task text COLLATE "C" NOT NULL,
  depends_on text COLLATE "C",
  rule text,
  template text,
  retry bigint DEFAULT 0,
  status text,
  -- Order of the phase in its file, so that "the first match" is stable.
  position bigint NOT NULL DEFAULT 0,
  -- The phase's own validation: check_error outranks a missing parent, which outranks
  -- check_warning; status is recomputed from them over every phase after each refresh.
  check_error text NOT NULL DEFAULT '',
  check_warning text NOT NULL DEFAULT '',
  PRIMARY KEY (file_path, task)
);

CREATE INDEX idx_workflow_phases_task ON workflow_phases (task);
CREATE INDEX idx_workflow_phases_depends_on ON workflow_phases (depends_on);
CREATE INDEX idx_workflow_phases_status ON workflow_phases (status);
