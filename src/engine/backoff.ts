/**
 * How long to wait before trying again, whatever is being waited for: a lock another
 * process holds, a server that restarts, a conflict between hosts.
 *
 * @example
 * ```ts
 * for (let attempt = 1; !tryIt(); attempt++) await sleep(backoffMs(attempt));
 * ```
 */
const BACKOFF_FIRST_MS = 2;
const BACKOFF_MAX_MS = 100;

/** Backoff before attempt `n` (1-based): exponential, capped, with full jitter. */
export function backoffMs(attempt: number): number {
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 16));
  return cap / 2 + Math.random() * (cap / 2);
}
