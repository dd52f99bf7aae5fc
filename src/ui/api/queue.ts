/**
 * The queue (store.queue), read-only: each queue's jobs by state, its limit and its oldest
 * due job's age (store.queue.stats(), also sampled for the charts); jobs by queue and state,
 * newest first, paged by id (store.queue.list); one job with every attempt (store.queue.get);
 * the schedules with their last and next tick. Retry and cancel stay in the API.
 *
 * @example
 * ```ts
 * // GET /api/queue/jobs?queue=emails&state=failed   → { items: [{ id, state, attempt, error, payload, … }], next }
 * // GET /api/queue/job?id=42                        → { job: { payload, result, attempts: [{ workerId, startedAt, endedAt, error }] } }
 * ```
 */
import { invalidArgument, notFound } from '../../errors.ts';
import type { Job } from '../../domains/queue/schema.ts';
import { JOB_STATES } from '../../domains/queue/states.ts';
import { toDisplay, toJson } from '../display.ts';
import { intParam, oneOfParam, textParam, type Handler, type Routes } from './context.ts';

/** Jobs on a page of a listing, unless `limit` says otherwise (at most 200). */
export const JOBS_PAGE = 25;
/** A job's payload in a listing: this many characters of its JSON, enough to tell jobs apart. */
export const PREVIEW_CHARS = 120;
/** The nodes of a payload turned into a preview: a listing never walks a large payload whole. */
const PREVIEW_NODES = 60;

/** A job id parameter (ids outgrow intParam's nine digits); `undefined` when absent. */
function idParam(params: URLSearchParams, name: string): number | undefined {
  const raw = textParam(params, name);
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw invalidArgument(name, 'must be a job id (a positive integer)');
  return Number(raw);
}

/**
 * One line of a payload's JSON, cut to {@link PREVIEW_CHARS}.
 *
 * @example
 * ```ts
 * preview({ to: 'a@example.test' });   // '{"to":"a@example.test"}'
 * ```
 */
export function preview(payload: unknown): string {
  const text = payload === undefined ? '' : toJson(toDisplay(payload, PREVIEW_NODES));
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

/** What the page says of a job's state beyond the state itself: a waiting job due later is delayed, a running one may have outlived its lease. */
function timing(job: Job, now: number) {
  return {
    delayed: job.state === 'waiting' && job.dueAt !== null && job.dueAt.getTime() > now,
    leaseEnded: job.state === 'running' && job.leaseUntil !== null && job.leaseUntil.getTime() <= now,
  };
}

/** A job in a listing: no result or stack, its payload as a preview. */
function listed(job: Job, now: number) {
  return {
    id: job.id, queue: job.queue, state: job.state, ...timing(job, now), priority: job.priority, key: job.key,
    attempt: job.attempt, maxAttempts: job.maxAttempts, workerId: job.workerId,
    createdAt: job.createdAt, dueAt: job.dueAt, startedAt: job.startedAt, finishedAt: job.finishedAt,
    error: job.error === null ? null : { message: job.error.message, code: job.error.code ?? null },
    payload: preview(job.payload),
  };
}

export const queues: Handler = async ({ store }) => ({ now: Date.now(), items: await store.queue.stats() });

export const jobs: Handler = async ({ store, params }) => {
  const limit = Math.max(1, intParam(params, 'limit', JOBS_PAGE, 200));
  const found = await store.queue.list({ queue: textParam(params, 'queue'), state: oneOfParam(params, 'state', JOB_STATES), before: idParam(params, 'before'), limit: limit + 1 });
  const now = Date.now();
  const items = found.slice(0, limit);
  return { now, items: items.map((job) => listed(job, now)), next: found.length > limit ? items.at(-1)!.id : null };
};

export const job: Handler = async ({ store, params }) => {
  const id = idParam(params, 'id');
  if (id === undefined) throw invalidArgument('id', 'is required');
  const found = await store.queue.get(id);
  if (!found) throw notFound('job', id);
  const now = Date.now();
  return {
    now,
    job: {
      ...found,
      ...timing(found, now),
      payload: toDisplay(found.payload),
      // A completed job's handler may have returned nothing: undefined is shown as such; other states have no result.
      result: found.state === 'completed' ? toDisplay(found.result) : null,
    },
  };
};

export const schedules: Handler = async ({ store }) => ({
  now: Date.now(),
  items: (await store.queue.schedules()).map((s) => ({ ...s, payload: toDisplay(s.payload), since: s.createdAt })),
});

export const routes: Routes = {
  '/api/queue/queues': queues,
  '/api/queue/jobs': jobs,
  '/api/queue/job': job,
  '/api/queue/schedules': schedules,
};
