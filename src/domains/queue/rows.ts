/** Rows of store.queue as records: what `get`, `list` and `schedules` return. Runs on the worker threads. */
import type { Codec } from '../../codec.ts';
import type { JobRow, ScheduleRow } from './statements.ts';
import { nextTick } from './cron.ts';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_MAX_ATTEMPTS } from './defaults.ts';
import type { Job, JobAttempt, JobError, JobState, Schedule } from './schema.ts';

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

interface StoredAttempt {
  attempt: number;
  workerId: string | null;
  startedAt: number;
  endedAt: number | null;
  error: JobError | null;
}

/** Every attempt: those that ended without completing (stored), then a running or completed one (the row's own). */
function attemptsOf(row: JobRow): JobAttempt[] {
  const attempts = (JSON.parse(row.attempts) as StoredAttempt[]).map((a): JobAttempt => ({
    attempt: a.attempt, workerId: a.workerId, startedAt: new Date(a.startedAt), endedAt: date(a.endedAt), error: a.error,
  }));
  if ((row.state === 'running' || row.state === 'completed') && row.started_at !== null) {
    attempts.push({ attempt: row.attempt, workerId: row.worker, startedAt: new Date(row.started_at), endedAt: date(row.finished_at), error: null });
  }
  return attempts;
}

export function decodeJob(row: JobRow, codec: Codec): Job {
  const state = row.state as JobState;
  return {
    id: row.id,
    queue: row.queue,
    state,
    payload: codec.decodeJson(row.payload),
    priority: row.priority,
    key: row.key,
    runAt: new Date(row.run_at),
    createdAt: new Date(row.created_at),
    dueAt: state === 'waiting' ? new Date(row.available_at) : null,
    leaseUntil: state === 'running' ? new Date(row.available_at) : null,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    backoff: { baseMs: row.backoff_base_ms, maxMs: row.backoff_max_ms },
    workerId: row.worker,
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
    result: row.result === null ? undefined : codec.decodeJson(row.result),
    error: row.error === null ? null : (JSON.parse(row.error) as JobError),
    attempts: attemptsOf(row),
  };
}

/** What each tick's job of a schedule is enqueued with. */
export function scheduleJobOptions(options: string): { priority: number; maxAttempts: number; backoff: { baseMs: number; maxMs: number } } {
  const parsed = JSON.parse(options) as { priority?: number; maxAttempts?: number; backoff?: { baseMs: number; maxMs: number } };
  return {
    priority: parsed.priority ?? 0,
    maxAttempts: parsed.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    backoff: parsed.backoff ?? { baseMs: DEFAULT_BACKOFF_BASE_MS, maxMs: DEFAULT_BACKOFF_MAX_MS },
  };
}

export function decodeSchedule(row: ScheduleRow, codec: Codec, now: number): Schedule {
  return {
    name: row.name,
    cron: row.cron,
    timeZone: row.time_zone,
    payload: codec.decodeJson(row.payload),
    options: JSON.parse(row.options) as Schedule['options'],
    lastTick: date(row.last_tick),
    nextTick: nextTick(row.cron, row.time_zone, new Date(now)),
    createdAt: new Date(row.created_at),
  };
}
