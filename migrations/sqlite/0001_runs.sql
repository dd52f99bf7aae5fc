-- workflow run state (seed 001): the workflow_state table and the indexes the document shows
CREATE TABLE workflow_state (
  run_id TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL,
  pipeline_name TEXT NOT NULL,
  pipeline_version TEXT NOT NULL,
  current_step_index INTEGER NOT NULL DEFAULT 0,
  pipeline_context TEXT,
  last_step_output TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'paused', 'completed', 'failed', 'cancelled')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  total_steps INTEGER NOT NULL DEFAULT 0,
  error_message TEXT,
  execution_time_ms INTEGER,
  memory_usage_mb REAL
);
-- The document's three indexes; the filtered two also hold created_at, so that
-- listing newest first with a status or pipeline filter reads the index in order.
CREATE INDEX idx_workflow_state_status ON workflow_state(status, created_at);
CREATE INDEX idx_workflow_state_created_at ON workflow_state(created_at);
CREATE INDEX idx_workflow_state_pipeline_id ON workflow_state(pipeline_id, created_at);
