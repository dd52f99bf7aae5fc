/**
 * store.queue's defaults, named, apart from its schemas and its worker so that importing
 * flowstore loads neither.
 *
 * @example
 * ```ts
 * store.queue.work('mail', handler, { concurrency: DEFAULT_CONCURRENCY * 4 });
 * ```
 */
/** Attempts a job gets before it is failed for good (a dead letter), unless given. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** The first retry waits about this long; each later one twice the one before. */
export const DEFAULT_BACKOFF_BASE_MS = 1_000;
/** No retry waits longer than this. */
export const DEFAULT_BACKOFF_MAX_MS = 300_000;
/** How long a claim holds a job before another worker may take it; a worker renews it while the handler runs. */
export const DEFAULT_LEASE_MS = 30_000;
/** Handlers a worker runs at once, unless given. */
export const DEFAULT_CONCURRENCY = 1;
/** How often an idle worker looks for due jobs another process enqueued (SQLite; PostgreSQL is also woken by NOTIFY). */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** How long `stop()` lets running jobs finish before it aborts them and hands them back. */
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/**
 * The most jobs a worker holds ahead of its slots when it sets that itself (no `prefetch`
 * option), claiming half of them at a time. On SQLite, 20,000 no-op jobs at concurrency 64
 * went through at ~80,000 a second holding 64 ahead, ~124,000 holding 1,024 (claims of 512),
 * ~113,000 holding 1,000 in claims of 1,000.
 */
export const MAX_AHEAD = 1_024;
