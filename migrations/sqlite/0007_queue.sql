-- The job queue (store.queue): jobs with leases, retries and schedules
-- Times are milliseconds since the epoch, from the caller's clock (datetime(x / 1000, 'unixepoch') reads one).
-- A job waits (available_at: when it is due), runs (available_at: when its lease ends),
-- then is completed, failed (a dead letter, past its last attempt) or cancelled. `attempt`
-- counts claims and is each claim's fencing token; `attempts` keeps every attempt that
-- ended without completing, the last one's error also in `error`.
CREATE TABLE queue_jobs (
  id INTEGER PRIMARY KEY,
  queue TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('waiting', 'running', 'completed', 'failed', 'cancelled')),
  priority INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  -- JSON text, or its deflated form (the codec tells them apart)
  payload TEXT,
  key TEXT,
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  -- the attempt past which a failure is final: max_attempts, raised by each retry()
  attempt_limit INTEGER NOT NULL,
  backoff_base_ms INTEGER NOT NULL,
  backoff_max_ms INTEGER NOT NULL,
  worker TEXT,
  started_at INTEGER,
  finished_at INTEGER,
  result TEXT,
  -- JSON: the last error ({ message, name, code, stack })
  error TEXT,
  -- JSON array of the attempts that ended without completing: { attempt, workerId, startedAt, endedAt, error }
  attempts TEXT NOT NULL DEFAULT '[]'
);
-- Each index holds only the jobs of the states it serves, so that a job's claim and
-- completion touch as few index entries as can be (every entry costs each transition):
-- the claim: a queue's due jobs, higher priority first, then in the order they came due;
CREATE INDEX queue_jobs_waiting ON queue_jobs (queue, priority DESC, available_at, id) WHERE state = 'waiting';
-- running jobs by the end of their lease: those whose lease ended are claimed again first;
CREATE INDEX queue_jobs_running ON queue_jobs (queue, available_at) WHERE state = 'running';
-- while a job with a key waits or runs, another with that key in its queue is that job;
CREATE UNIQUE INDEX queue_jobs_key ON queue_jobs (queue, key) WHERE key IS NOT NULL AND state IN ('waiting', 'running');
-- jobs that ended, by queue and state, newest first: lists and counts read it alone.
CREATE INDEX queue_jobs_ended ON queue_jobs (queue, state, id) WHERE state IN ('completed', 'failed', 'cancelled');

-- Per-queue settings: the most jobs of the queue running at once, across every worker and host.
CREATE TABLE queue_settings (
  queue TEXT PRIMARY KEY,
  concurrency INTEGER CHECK (concurrency IS NULL OR concurrency >= 0),
  updated_at INTEGER NOT NULL
);

-- Cron schedules: each tick enqueues one job into the queue named like the schedule.
-- last_tick is the newest tick enqueued (null before the first); a tick is enqueued by whoever
-- moves it forward, and none from before the schedule was made.
CREATE TABLE queue_schedules (
  name TEXT PRIMARY KEY,
  cron TEXT NOT NULL,
  time_zone TEXT,
  payload TEXT,
  -- JSON: the enqueue options each tick's job gets (priority, maxAttempts, backoff)
  options TEXT NOT NULL DEFAULT '{}',
  last_tick INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
