-- OpenWorkflow's tables (flowstore/openworkflow): workflow runs, their step attempts and
-- the signals delivered to waiting steps, each row in a namespace (one per backend).
-- Times are milliseconds since the epoch from the caller's clock (Date.now(), which
-- OpenWorkflow's tests mock); JSON values are text. A run is pending, running (a worker
-- holds it until available_at, or it is parked with no worker until then), sleeping
-- (older releases), completed, failed or canceled.
CREATE TABLE openworkflow_runs (
  namespace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  workflow_name TEXT NOT NULL,
  version TEXT,
  status TEXT NOT NULL,
  idempotency_key TEXT,
  config TEXT NOT NULL,
  context TEXT,
  input TEXT,
  output TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  parent_step_attempt_namespace_id TEXT,
  parent_step_attempt_id TEXT,
  worker_id TEXT,
  available_at INTEGER,
  deadline_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (namespace_id, id)
);
-- the claim: a namespace's due runs of one status, first due first
CREATE INDEX openworkflow_runs_due ON openworkflow_runs (namespace_id, status, available_at, created_at)
  WHERE status IN ('pending', 'running', 'sleeping');
-- runs that can pass their deadline before they finish
CREATE INDEX openworkflow_runs_deadline ON openworkflow_runs (namespace_id, deadline_at)
  WHERE deadline_at IS NOT NULL AND status IN ('pending', 'running', 'sleeping');
-- a key names one run of a workflow within the idempotency period
CREATE INDEX openworkflow_runs_key ON openworkflow_runs (namespace_id, workflow_name, idempotency_key, created_at)
  WHERE idempotency_key IS NOT NULL;
-- lists, newest first, by status or workflow; counts by status
CREATE INDEX openworkflow_runs_created ON openworkflow_runs (namespace_id, created_at, id);
CREATE INDEX openworkflow_runs_status ON openworkflow_runs (namespace_id, status, created_at, id);
CREATE INDEX openworkflow_runs_workflow ON openworkflow_runs (namespace_id, workflow_name, created_at, id);

-- `signal` is the signal a running signal-wait step waits for (its context's, kept as a column)
CREATE TABLE openworkflow_step_attempts (
  namespace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  workflow_run_id TEXT NOT NULL,
  step_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  config TEXT NOT NULL,
  context TEXT,
  output TEXT,
  error TEXT,
  child_workflow_run_namespace_id TEXT,
  child_workflow_run_id TEXT,
  signal TEXT,
  started_at INTEGER,
  finished_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (namespace_id, id)
);
CREATE INDEX openworkflow_step_attempts_run ON openworkflow_step_attempts (namespace_id, workflow_run_id, created_at, id);
CREATE INDEX openworkflow_step_attempts_waiting ON openworkflow_step_attempts (namespace_id, signal)
  WHERE kind = 'signal-wait' AND status = 'running';

-- one delivery per waiting step attempt; a sender's idempotency key finds its deliveries again
CREATE TABLE openworkflow_signals (
  namespace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  signal TEXT NOT NULL,
  data TEXT,
  sender_idempotency_key TEXT,
  workflow_run_id TEXT NOT NULL,
  step_attempt_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (namespace_id, id)
);
CREATE UNIQUE INDEX openworkflow_signals_step_attempt ON openworkflow_signals (namespace_id, step_attempt_id);
CREATE INDEX openworkflow_signals_sender ON openworkflow_signals (namespace_id, signal, sender_idempotency_key)
  WHERE sender_idempotency_key IS NOT NULL;
