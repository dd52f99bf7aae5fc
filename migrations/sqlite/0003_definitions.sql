-- workflow definitions (seed 002): the workflow_files and workflow_phases tables and the indexes the document shows
CREATE TABLE workflow_files (
  file_path TEXT PRIMARY KEY,
  file_hash TEXT NOT NULL,
  loaded_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  last_modified TIMESTAMP,
  -- Why the file's last read failed to parse (its previous phases stay); NULL when it loaded.
  parse_error TEXT
);

CREATE TABLE workflow_phases (
  file_path TEXT NOT NULL REFERENCES workflow_files (file_path) ON DELETE CASCADE,
  task TEXT NOT NULL,
  depends_on TEXT,
  rule TEXT,
  template TEXT,
  retry INTEGER DEFAULT 0,
  status TEXT,
  -- Order of the phase in its file, so that "the first match" is stable.
  position INTEGER NOT NULL DEFAULT 0,
  -- The phase's own validation: check_error outranks a missing parent, which outranks
  -- check_warning; status is recomputed from them over every phase after each refresh.
  check_error TEXT NOT NULL DEFAULT '',
  check_warning TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (file_path, task)
);

CREATE INDEX idx_workflow_phases_task ON workflow_phases (task);
CREATE INDEX idx_workflow_phases_depends_on ON workflow_phases (depends_on);
CREATE INDEX idx_workflow_phases_status ON workflow_phases (status);
