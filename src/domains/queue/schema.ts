/**
 * Inputs and records of store.queue. Every time an operation needs ("now", a lease's end,
 * when a job is due) comes from the caller's clock and travels with the input, so that a
 * test or a framework that mocks `Date.now` sees one clock, and a worker thread never reads its own.
 */
import { z } from 'zod';
import { toJsonText } from '../../codec.ts';
import { id, instant, jsonText, MAX_ID_LENGTH, text } from '../common.ts';
import { nextTick } from './cron.ts';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_LEASE_MS } from './defaults.ts';
import { JOB_STATES, type JobState } from './states.ts';
import { ARRAY_PAYLOAD_CHARS, JOB_VALUES, PAYLOAD_ARRAY, PAYLOAD_TEXTS } from './wire.ts';

export { JOB_STATES, type JobState };
/** What `store.cleanup` may delete: never a waiting or running job. */
export const RETAINABLE_JOB_STATES = ['completed', 'failed', 'cancelled'] as const;

export { DEFAULT_MAX_ATTEMPTS, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_LEASE_MS } from './defaults.ts';
/** The most jobs one claim takes. */
export const MAX_CLAIM = 1_000;
/** The most attempts a job may be given. */
export const MAX_ATTEMPTS = 1_000;
/** Longest delay, lease or backoff accepted: a year. */
const MAX_MS = 366 * 86_400_000;

const queueName = id;
const ms = z.number().int().min(0).max(MAX_MS);
const positiveMs = z.number().int().min(1).max(MAX_MS);
/** The caller's `Date.now()`, set by the API, never by the user. */
const now = z.number().int().nonnegative();
const attempt = z.number().int().min(1);

const backoffInput = z.object({
  baseMs: ms.default(DEFAULT_BACKOFF_BASE_MS),
  maxMs: ms.default(DEFAULT_BACKOFF_MAX_MS),
}).strict().refine((b) => b.maxMs >= b.baseMs, { message: 'maxMs is below baseMs', path: ['maxMs'] });

/** What `enqueue` takes beside the payload. */
export const enqueueOptions = z.object({
  /** When the job is due (a Date, an ISO string or epoch ms); default now. */
  runAt: instant.optional(),
  /** Or: due this many milliseconds from now. */
  delayMs: ms.optional(),
  /** Higher runs first; first in, first out within a priority. */
  priority: z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1).default(0),
  /** While a job with this key waits or runs in the queue, enqueue returns that job instead of a new one. */
  key: z.string().min(1).max(MAX_ID_LENGTH).optional(),
  maxAttempts: z.number().int().min(1).max(MAX_ATTEMPTS).default(DEFAULT_MAX_ATTEMPTS),
  backoff: backoffInput.default({ baseMs: DEFAULT_BACKOFF_BASE_MS, maxMs: DEFAULT_BACKOFF_MAX_MS }),
}).strict().refine((o) => o.runAt === undefined || o.delayMs === undefined, { message: 'give runAt or delayMs, not both', path: ['delayMs'] });

export type EnqueueOptions = z.input<typeof enqueueOptions>;

/** The options of a job that gives none: parsed once, not per job. */
const NO_OPTIONS = enqueueOptions.parse({});

/** The JSON text of a job's payload (of enqueue's, or of enqueueMany's job `index`), or undefined after adding the issue. */
function payloadText(payload: unknown, ctx: z.RefinementCtx, index?: number): string | undefined {
  try {
    return toJsonText(payload);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message, path: index === undefined ? ['payload'] : ['jobs', index, 'payload'] });
    return undefined;
  }
}

/**
 * Appends a job as it travels to the writer: payload as JSON text, due time, priority, key,
 * max attempts, backoff base and cap. Flat strings and numbers cross threads packed (see
 * protocol.ts), several times faster than objects. A job without options, the common case,
 * costs no options parse. Returns false after adding the issue when the job is invalid.
 */
function pushJob(values: (string | number | null)[], payload: unknown, options: unknown, at: number, ctx: z.RefinementCtx, index?: number): boolean {
  let o = NO_OPTIONS;
  if (options !== undefined) {
    const parsed = enqueueOptions.safeParse(options);
    if (!parsed.success) {
      // enqueue's options are a field of their own; enqueueMany's sit beside each job's payload.
      const where = index === undefined ? ['options'] : ['jobs', index];
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [...where, ...issue.path] } as z.core.$ZodRawIssue);
      return false;
    }
    o = parsed.data;
  }
  const text = payloadText(payload, ctx, index);
  if (text === undefined) return false;
  const due = o.runAt !== undefined ? o.runAt.getTime() : at + (o.delayMs ?? 0);
  values.push(text, due, o.priority, o.key ?? null, o.maxAttempts, o.backoff.baseMs, o.backoff.maxMs);
  return true;
}

/** `[queue, now, ...JOB_VALUES]` for one job. */
export const enqueueParams = z.object({ queue: queueName, payload: z.unknown(), options: z.unknown().optional(), now }).strict()
  .transform(({ queue, payload, options, now: at }, ctx) => {
    const values: (string | number | null)[] = [queue, at];
    return pushJob(values, payload, options, at, ctx) ? values : z.NEVER;
  });

/** A job of `enqueueMany`: its payload and its options side by side. */
export type JobInput<P = unknown> = EnqueueOptions & { payload: P };

/** Whether a job of enqueueMany gives only its payload. */
function payloadOnly(job: object): boolean {
  for (const key in job) if (key !== 'payload') return false;
  return true;
}

/** Whether a payload's JSON text can travel in a PAYLOAD_ARRAY: an object or an array (SQL reads other values as SQL values), not too long. */
function arrayPayload(text: string): boolean {
  const first = text.charCodeAt(0);
  return (first === 0x7b /* { */ || first === 0x5b /* [ */) && text.length < ARRAY_PAYLOAD_CHARS;
}

/** The most jobs one enqueueMany takes. */
export const MAX_ENQUEUE = 1_000_000;

/**
 * enqueueMany's jobs: an array of 1 to MAX_ENQUEUE, each checked by the transform that lays
 * them out. `z.array` would visit and copy every job first: 10 ms for 20,000 while the code
 * is cold, as it is for a runner's first large batch.
 */
const jobList = z.custom<unknown[]>((jobs) => Array.isArray(jobs), { message: 'expected an array of jobs' })
  .refine((jobs) => jobs.length >= 1 && jobs.length <= MAX_ENQUEUE, { message: `give 1 to ${MAX_ENQUEUE} jobs` });

/**
 * `[queue, now, valuesPerJob, ...]`: every job of the call in one flat array. When every job
 * gives only its payload (the common case) the payloads travel as one JSON array
 * (PAYLOAD_ARRAY, see wire.ts) when each is a small object or array, else each as its JSON text
 * alone (PAYLOAD_TEXTS), a seventh of the values to build, pack and unpack; otherwise
 * JOB_VALUES each.
 */
export const enqueueManyParams = z.object({ queue: queueName, jobs: jobList, now }).strict()
  .transform(({ queue, jobs, now: at }, ctx) => {
    if (jobs.every((job) => typeof job === 'object' && job !== null && 'payload' in job && payloadOnly(job))) {
      const texts = new Array<string>(jobs.length);
      let inArray = true;
      let longest = 0;
      for (let i = 0; i < jobs.length; i++) {
        const text = payloadText((jobs[i] as { payload: unknown }).payload, ctx, i);
        if (text === undefined) return z.NEVER;
        texts[i] = text;
        inArray &&= arrayPayload(text);
        if (text.length > longest) longest = text.length;
      }
      return inArray ? [queue, at, PAYLOAD_ARRAY, `[${texts.join(',')}]`, longest] : [queue, at, PAYLOAD_TEXTS, ...texts];
    }
    const values: (string | number | null)[] = [queue, at, JOB_VALUES];
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i];
      if (typeof job !== 'object' || job === null || !('payload' in job)) {
        ctx.addIssue({ code: 'custom', message: 'a job is { payload, ...options }', path: ['jobs', i] });
        return z.NEVER;
      }
      let options: unknown;
      if (!payloadOnly(job)) {
        const { payload: _, ...rest } = job as Record<string, unknown>;
        options = rest;
      }
      if (!pushJob(values, (job as { payload: unknown }).payload, options, at, ctx, i)) return z.NEVER;
    }
    return values;
  });

export const claimInput = z.object({
  queue: queueName,
  workerId: id,
  limit: z.number().int().min(1).max(MAX_CLAIM).default(1),
  leaseMs: positiveMs.default(DEFAULT_LEASE_MS),
  now,
}).strict();

/** A job and the claim that holds it: the attempt fences every later call for it. */
export const leaseRef = z.object({ id: z.number().int().positive(), attempt }).strict();

export const heartbeatInput = z.object({ id: z.number().int().positive(), attempt, leaseMs: positiveMs.default(DEFAULT_LEASE_MS), now }).strict();
export const heartbeatManyInput = z.object({ leases: z.array(z.tuple([z.number().int().positive(), attempt])).max(100_000), leaseMs: positiveMs, now }).strict();

/** `[id, attempt, result as JSON text, now]`. */
export const completeParams = z.object({ id: z.number().int().positive(), attempt, result: z.unknown(), now }).strict()
  .transform(({ id: jobId, attempt: n, result, now: at }, ctx) => [jobId, n, result === undefined ? null : jsonText(result, ['result'], ctx), at] as const);

/** Whether `value` is an array of strings, numbers and nulls only. */
function isFlat(value: unknown): value is (string | number | null)[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (v !== null && typeof v !== 'string' && typeof v !== 'number') return false;
  }
  return true;
}

/**
 * `[now, then id, attempt, result as JSON text (or null) per job]`: a worker's completions of
 * one turn. Checked by one loop: zod's union per value cost the caller's thread ~1 µs a value,
 * 3 µs a job, as much as the rest of a job's way through the worker.
 */
export const completeManyParams = z.custom<(string | number | null)[]>(isFlat, 'expected [now, then id, attempt and result (JSON text or null) per job]');

/** `[now, then id, attempt per job]`. */
export const releaseManyParams = z.array(z.number().int().nonnegative()).min(1);

/** An error as a job keeps it. */
export interface JobError {
  message: string;
  name?: string;
  code?: string;
  stack?: string;
}

export const jobError = z.object({
  message: z.string().max(65_536),
  name: z.string().max(256).optional(),
  code: z.string().max(256).optional(),
  stack: z.string().max(65_536).optional(),
}).strict();

export const failInput = z.object({
  id: z.number().int().positive(),
  attempt,
  error: jobError,
  /** false: failed now, whatever attempts are left. */
  retry: z.boolean().default(true),
  /** Wait this long before the next attempt instead of the job's backoff. */
  delayMs: ms.optional(),
  now,
}).strict();

export const jobIdInput = z.object({ id: z.number().int().positive(), now }).strict();
export const getInput = z.object({ id: z.number().int().positive() }).strict();

export const listInput = z.object({
  queue: queueName.optional(),
  state: z.enum(JOB_STATES).optional(),
  limit: z.number().int().min(1).max(10_000).default(50),
  /** Jobs older than this id: the last id of the page before, for the next page. */
  before: z.number().int().positive().optional(),
}).strict();

export const statsInput = z.object({ now }).strict();
export const peekInput = z.object({ queue: queueName, now }).strict();

export const setConcurrencyInput = z.object({ queue: queueName, concurrency: z.number().int().min(0).max(1_000_000).nullable(), now }).strict();

/** A time zone the runtime knows (IANA names such as `Europe/Paris`). */
const timeZone = z.string().max(128).refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'not a time zone this runtime knows');

export const scheduleOptions = z.object({
  timeZone: timeZone.optional(),
  priority: z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1).optional(),
  maxAttempts: z.number().int().min(1).max(MAX_ATTEMPTS).optional(),
  backoff: backoffInput.optional(),
}).strict();

export type ScheduleOptions = z.input<typeof scheduleOptions>;

/** `[name, cron, time zone, payload as JSON text, options as JSON, now]`. */
export const scheduleParams = z.object({ name: queueName, cron: text, payload: z.unknown(), options: scheduleOptions.prefault({}), now }).strict()
  .superRefine(({ cron, options, now: at }, ctx) => {
    try {
      if (nextTick(cron, options.timeZone ?? null, new Date(at)) === null) ctx.addIssue({ code: 'custom', message: 'never fires', path: ['cron'] });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a cron expression: ${(error as Error).message}`, path: ['cron'] });
    }
  })
  .transform(({ name, cron, payload, options: { timeZone: zone, ...jobOptions }, now: at }, ctx) =>
    [name, cron, zone ?? null, jsonText(payload, ['payload'], ctx), JSON.stringify(jobOptions), at] as const);

export const nameInput = z.object({ name: queueName }).strict();
export const fireTickInput = z.object({ name: queueName, tick: z.number().int().nonnegative(), now }).strict();
export const retentionInput = z.object({ before: instant, states: z.array(z.enum(RETAINABLE_JOB_STATES)).min(1) }).strict();

/** A job as `enqueue` reports it: `created` is false when a job with the same key was already waiting or running. */
export interface EnqueuedJob {
  id: number;
  created: boolean;
}

/** An attempt of a job: who ran it, when, and how it ended (`error` null while it runs or once it completed). */
export interface JobAttempt {
  attempt: number;
  workerId: string | null;
  startedAt: Date;
  endedAt: Date | null;
  error: JobError | null;
}

/** A job a claim handed out: its lease and the attempt that is its fencing token. */
export interface ClaimedJob<P = unknown> {
  id: number;
  queue: string;
  payload: P;
  /** This claim's attempt, from 1: what `complete`, `fail` and `heartbeat` are fenced by. */
  attempt: number;
  maxAttempts: number;
  priority: number;
  key: string | null;
  runAt: Date;
  createdAt: Date;
  workerId: string;
  startedAt: Date;
  leaseUntil: Date;
  backoff: { baseMs: number; maxMs: number };
}

/** A job, whatever its state, with every attempt it had. */
export interface Job<P = unknown, R = unknown> {
  id: number;
  queue: string;
  state: JobState;
  payload: P;
  priority: number;
  key: string | null;
  runAt: Date;
  createdAt: Date;
  /** When a waiting job is due next; null otherwise. */
  dueAt: Date | null;
  /** When a running job's lease ends; null otherwise. */
  leaseUntil: Date | null;
  attempt: number;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  workerId: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** What the handler returned (completed jobs). */
  result: R | undefined;
  /** The last attempt's error (failed, or waiting for a retry). */
  error: JobError | null;
  attempts: JobAttempt[];
}

/** One queue's counts: `waiting` are due now, `delayed` due later. */
export interface QueueStats {
  queue: string;
  waiting: number;
  delayed: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** How long the oldest due job has waited, in milliseconds (0 when none waits). */
  oldestWaitingMs: number;
  /** The queue's limit on running jobs across every worker and host, or null. */
  concurrency: number | null;
}

/** A cron schedule. */
export interface Schedule {
  name: string;
  cron: string;
  timeZone: string | null;
  payload: unknown;
  options: Omit<ScheduleOptions, 'timeZone'>;
  /** The newest tick enqueued, or null before the first. */
  lastTick: Date | null;
  /** The next tick after now, or null when the expression never fires again. */
  nextTick: Date | null;
  /** When it was made: it fires no tick from before. */
  createdAt: Date;
}
