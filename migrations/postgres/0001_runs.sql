-- workflow run state (seed 001): the workflow_state table and the indexes the document shows
-- Ids sort as SQLite sorts them (by code point), whatever the database's collation.
CREATE TABLE workflow_state (
  run_id text COLLATE "C" PRIMARY KEY,
  pipeline_id text COLLATE "C" NOT NULL,
  pipeline_name text NOT NULL,
  pipeline_version text NOT NULL,
  current_step_index bigint NOT NULL DEFAULT 0,
  -- JSON text as UTF-8, or its deflated form: the codec tells them apart by the first byte.
  pipeline_context bytea,
  last_step_output bytea,
  status text NOT NULL CHECK (status IN ('running', 'paused', 'completed', 'failed', 'cancelled')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  total_steps bigint NOT NULL DEFAULT 0,
  error_message text,
  execution_time_ms bigint,
  memory_usage_mb double precision
)
-- A run's row is rewritten at every step. A page kept a fifth empty takes the new version
-- beside the old (a HOT update: no index touched, the old one pruned in place); a full
-- page sends it to the table's end with a new entry in every index, and the table and
-- its indexes grow with each save until a vacuum.
WITH (fillfactor = 80);
CREATE INDEX idx_workflow_state_status ON workflow_state(status, created_at);
CREATE INDEX idx_workflow_state_created_at ON workflow_state(created_at);
CREATE INDEX idx_workflow_state_pipeline_id ON workflow_state(pipeline_id, created_at);
