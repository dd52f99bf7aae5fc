/**
 * What the OpenWorkflow domain needs of a backend: the same names on SQLite and
 * PostgreSQL, each backend's SQL in its own file (sqlite.ts, postgres.ts), rows in one
 * shape. Every statement is scoped to a namespace (its first parameter); times are epoch
 * milliseconds from the caller's clock; JSON columns are text.
 */
import type { Awaitable, Statement } from '../../engine/op.ts';

export interface OpenWorkflowStatements {
  /**
   * Serializes, across hosts, the transactions that look a key up and then insert under it
   * (a run's idempotency key, a signal sender's key): PostgreSQL's transaction-scoped
   * advisory lock; nothing on SQLite, whose one writer already runs them one at a time.
   */
  lock(key: string): Awaitable<unknown>;
  /** `(ns, id, workflowName, version, idempotencyKey, config, context, input, parentNs, parentId, availableAt, deadlineAt, now)` → run. */
  insertRun: Statement;
  /** `(ns, workflowName, idempotencyKey, cutoff)` → the first run made under the key since `cutoff`. */
  runByKey: Statement;
  /** `(ns, id)` → run. */
  run: Statement;
  /** `(ns, now, error)`: live runs past their deadline fail. */
  expireDeadlines: Statement;
  /** `(ns, now, workerId, leaseUntil)` → the claimed run: the first due pending run (SKIP LOCKED on PostgreSQL). */
  claimPending: Statement;
  /** `(ns, now, workerId, leaseUntil)` → the claimed run: the first due running or sleeping run (lease ended, or parked until now). */
  claimDue: Statement;
  /** `(ns, id, workerId, leaseUntil, now)` → run, when the worker holds it. */
  extendLease: Statement;
  /** `(ns, id, workerId, resumeAt, now)` → run, parked with no worker until `resumeAt`, or now when a child finished or a signal came. */
  sleep: Statement;
  /** `(ns, id, workerId, output, now)` → run, when the worker holds it. */
  complete: Statement;
  /** `(ns, id, workerId, status, availableAt, finishedAt, error, now)` → run, when the worker holds it. */
  fail: Statement;
  /** `(ns, id, workerId, availableAt, error, now)` → run, pending again, when the worker holds it. */
  reschedule: Statement;
  /** `(ns, id, now)` → run, when it was pending, running or sleeping. */
  cancel: Statement;
  /** `(now, parentNs, parentStepAttemptId, childNs, childId)`: the parent parked on that step is due now. */
  wakeParent: Statement;
  /** `(ns)` → `{ status, n }` per status. */
  counts: Statement;
  /**
   * Pages of runs in order of (created_at, id): `newest` continues down from a cursor,
   * `oldest` up from one; each by no filter, status, workflow name or both, then
   * `(createdAt, id, limit)`.
   */
  runs: Record<'newest' | 'oldest', Record<RunFilter, Statement>>;
  /** `(ns, runId, workerId, id, stepName, kind, config, context, signal, now)` → step attempt, when the worker holds the run. */
  insertStep: Statement;
  /** `(ns, id)` → step attempt. */
  step: Statement;
  /** `(ns, runId, createdAt, id, limit)` → step attempts after (`oldest`) or before (`newest`) the cursor. */
  steps: Record<'newest' | 'oldest', Statement>;
  /** `(ns, runId, id, workerId, childNs, childId, now)` → running step attempt, when the worker holds the run. */
  setChild: Statement;
  /** `(ns, runId, id, workerId, output, now)` → step attempt, completed (again), when the worker holds the run. */
  completeStep: Statement;
  /** `(ns, runId, id, workerId, error, now)` → step attempt, failed (again), when the worker holds the run. */
  failStep: Statement;
  /** `(ns, signal, key)` → `{ workflow_run_id }` of each delivery a send with that key made. */
  sentBefore: Statement;
  /** `(ns, signal)` → `{ id, workflow_run_id }` of each running step waiting for the signal. */
  waiters: Statement;
  /** `(ns, id, signal, data, key, runId, stepAttemptId, now)` → `{ workflow_run_id }` when the step had no delivery yet. */
  deliver: Statement;
  /** `(ns, id, now)`: a parked run is due now. */
  wakeRun: Statement;
  /** `(ns, stepAttemptId)` → `{ data }` of the step's delivery. */
  delivery: Statement;
}

export type RunFilter = 'all' | 'byStatus' | 'byWorkflow' | 'byBoth';

/** A run as both backends return it. */
export interface RunRow {
  namespace_id: string;
  id: string;
  workflow_name: string;
  version: string | null;
  status: string;
  idempotency_key: string | null;
  config: string;
  context: string | null;
  input: string | null;
  output: string | null;
  error: string | null;
  attempts: number;
  parent_step_attempt_namespace_id: string | null;
  parent_step_attempt_id: string | null;
  worker_id: string | null;
  available_at: number | null;
  deadline_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A step attempt as both backends return it. */
export interface StepRow {
  namespace_id: string;
  id: string;
  workflow_run_id: string;
  step_name: string;
  kind: string;
  status: string;
  config: string;
  context: string | null;
  output: string | null;
  error: string | null;
  child_workflow_run_namespace_id: string | null;
  child_workflow_run_id: string | null;
  started_at: number | null;
  finished_at: number | null;
  created_at: number;
  updated_at: number;
}

export const RUN_COLUMNS = `namespace_id, id, workflow_name, version, status, idempotency_key, config, context, input, output, error,
  attempts, parent_step_attempt_namespace_id, parent_step_attempt_id, worker_id, available_at, deadline_at, started_at, finished_at,
  created_at, updated_at`;

export const STEP_COLUMNS = `namespace_id, id, workflow_run_id, step_name, kind, status, config, context, output, error,
  child_workflow_run_namespace_id, child_workflow_run_id, started_at, finished_at, created_at, updated_at`;

/** Statuses a run can still leave. */
export const LIVE = "('pending', 'running', 'sleeping')";
/** Statuses a run never leaves ('succeeded': older releases). */
export const FINISHED = "('succeeded', 'completed', 'failed', 'canceled')";
