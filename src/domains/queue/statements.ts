/**
 * What store.queue needs of a backend: the same names on SQLite and PostgreSQL, each
 * backend's SQL in its own file (sqlite.ts, postgres.ts), rows in one shape. Times are
 * epoch milliseconds; JSON columns (`error`, `attempts`, schedule `options`) are text.
 */
import type { Awaitable, Statement } from '../../engine/op.ts';

export interface QueueStatements {
  /** Inserts a job: its id, or undefined when a job with its key waits or runs (then `byKey` finds that one). */
  insert(queue: string, payload: string | Uint8Array, due: number, priority: number, key: string | null, maxAttempts: number,
    baseMs: number, maxMs: number, now: number): Awaitable<number | undefined>;
  /**
   * Inserts jobs without keys (rows: payload JSON text stored as it is, due, priority,
   * maxAttempts, backoff base, backoff cap): their ids, in the rows' order. PostgreSQL
   * sends them in one statement; SQLite inserts them one by one, which costs it less.
   */
  insertMany(queue: string, rows: readonly BulkRow[], now: number): Awaitable<number[]>;
  /**
   * Inserts jobs without keys, due now with the default options: `payloads` is a JSON array
   * of their payloads, each an object or an array, each stored as its text in the array. Their
   * ids, in the array's order. One statement on either backend.
   */
  insertArray(queue: string, payloads: string, now: number): Awaitable<number[]>;
  /** `(queue, key)` → `{ id }` of the job with that key that waits or runs. */
  byKey: Statement;
  /** Wakes the queue's workers in other processes once this transaction commits (PostgreSQL's NOTIFY); nothing on SQLite. */
  notify(queue: string): Awaitable<unknown>;
  /**
   * `(queue, now)` → `{ cap, expired }`, what a claim asks first, in one round trip: the
   * queue's limit (null when it has none; on PostgreSQL its row then stays locked until the
   * transaction ends) and whether a running job of the queue has a lease that ended.
   */
  probe: Statement;
  /**
   * `claim`, in one round trip, when the queue has no limit and no running job's lease has
   * ended (what `probe` asks): the claimed rows; null, having claimed nothing, when it has
   * either (the claim then goes through `probe`).
   */
  claimFree(queue: string, now: number, leaseUntil: number, workerId: string, limit: number): Awaitable<ClaimedRow[] | null>;
  /** `(queue, now)` → `{ n }`: jobs of the queue running on a lease that has not ended. */
  running: Statement;
  /**
   * `(queue, now, leaseUntil, workerId, limit)` → the claimed rows, as arrays ({@link ClaimedRow}):
   * due waiting jobs, higher priority first. Several hosts never claim one job (SKIP LOCKED).
   */
  claim: Statement;
  /**
   * `(queue, now, leaseUntil, workerId, limit, leaseExpiredError)` → the claimed rows, as arrays:
   * running jobs whose lease ended with attempts left, their ended attempt logged as expired.
   */
  reclaim: Statement;
  /** `(queue, now, leaseExpiredError)`: running jobs whose lease ended on their last attempt are failed. */
  failExpired: Statement;
  /** `(queue)` → `{ at }`: when the next job of the queue becomes claimable, or null. */
  nextDue: Statement;
  /** `(leaseUntil, id, attempt, now)`: renews a lease that has not ended. */
  heartbeat: Statement;
  /** `(result, now, id, attempt)`: completes an attempt whose lease has not ended. */
  complete: Statement;
  /**
   * Completes many attempts (rows: id, attempt, result JSON text stored as it is, or null):
   * for each, whether it was refused (its lease had ended), in the rows' order. PostgreSQL
   * sends them in one statement; SQLite runs `complete` for each.
   */
  completeMany(rows: readonly CompletedRow[], now: number): Awaitable<boolean[]>;
  /** `(id, attempt, now)` → {@link LeaseRow} of an attempt whose lease has not ended. */
  lease: Statement;
  /** `(now, id, attempt)`: a claim that never started its job gives it back, the attempt not counted. */
  release: Statement;
  /** `(availableAt, error, attemptEntry, id, attempt)`: the attempt failed; the job waits for the next. */
  failRetry: Statement;
  /** `(now, error, attemptEntry, id, attempt)`: the attempt failed, and the job with it. */
  failFinal: Statement;
  /** `(now, id, cancelledError)`: a waiting or running job is cancelled (a running attempt is logged as cancelled). */
  cancel: Statement;
  /** `(now, id)`: a failed or cancelled job waits again, with `maxAttempts` more attempts. */
  retry: Statement;
  /** `(id)` → {@link JobRow}. */
  get: Statement;
  /** Newest first: `(filters…, before id, limit)`. */
  list: { all: Statement; byQueue: Statement; byState: Statement; byBoth: Statement };
  /** `(now)` → per queue and state: `{ queue, state, n, delayed, oldest }`. */
  counts: Statement;
  /** `()` → `{ queue, concurrency }` of every queue with settings. */
  settings: Statement;
  /** `(queue, concurrency, now)`. */
  setConcurrency: Statement;
  /** `(name, cron, timeZone, payload, options, now)`: a new schedule fires from its next tick; a replaced one keeps its last tick. */
  upsertSchedule: Statement;
  /** `(name)`. */
  deleteSchedule: Statement;
  /** `()` → {@link ScheduleRow} of every schedule. */
  schedules: Statement;
  /** `(name)` → {@link ScheduleRow}. */
  schedule: Statement;
  /** `(name, tick)`: moves the schedule's last tick forward to `tick`, when it is behind and the tick comes after the schedule was made. */
  advanceTick: Statement;
  /** `(before, states as a JSON array)`: finished jobs of those states that finished before. */
  deleteFinished: Statement;
}

/** A job of {@link QueueStatements.insertMany}. */
export type BulkRow = [payload: string, due: number, priority: number, maxAttempts: number, baseMs: number, maxMs: number];

/** An attempt of {@link QueueStatements.completeMany}. */
export type CompletedRow = [id: number, attempt: number, result: string | null];

/**
 * What a claim returns per job: {@link CLAIMED_COLUMNS} as an array (node:sqlite's
 * `setReturnArrays`, pg's `rowMode`). node:sqlite makes an array of a row's columns faster
 * than an object of them: a sixth of a claim's time on SQLite went to naming them.
 */
export type ClaimedRow = readonly [
  id: number, priority: number, runAt: number, createdAt: number, payload: string | Uint8Array | null, key: string | null,
  attempt: number, maxAttempts: number, backoffBaseMs: number, backoffMaxMs: number,
];

export interface LeaseRow {
  queue: string;
  attempt_limit: number;
  backoff_base_ms: number;
  backoff_max_ms: number;
  worker: string;
  started_at: number;
}

export interface JobRow {
  id: number;
  queue: string;
  priority: number;
  run_at: number;
  created_at: number;
  payload: string | Uint8Array | null;
  key: string | null;
  attempt: number;
  max_attempts: number;
  backoff_base_ms: number;
  backoff_max_ms: number;
  state: string;
  available_at: number;
  attempt_limit: number;
  worker: string | null;
  started_at: number | null;
  finished_at: number | null;
  result: string | Uint8Array | null;
  error: string | null;
  attempts: string;
}

export interface ScheduleRow {
  name: string;
  cron: string;
  time_zone: string | null;
  payload: string | Uint8Array | null;
  options: string;
  last_tick: number | null;
  created_at: number;
}

/** The columns of a job, as `get` and `list` select them. */
export const JOB_COLUMNS = `id, queue, state, priority, available_at, run_at, created_at, payload, key, attempt, max_attempts,
  attempt_limit, backoff_base_ms, backoff_max_ms, worker, started_at, finished_at, result, error, attempts`;

/** The columns a claim returns, in {@link ClaimedRow}'s order (the queue is the claim's own). */
export const CLAIMED_COLUMNS = 'id, priority, run_at, created_at, payload, key, attempt, max_attempts, backoff_base_ms, backoff_max_ms';
