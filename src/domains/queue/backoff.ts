/**
 * How long a failed attempt waits before the next: exponential from the job's base, capped
 * at its maximum, with jitter so that jobs that failed together do not all come back at once.
 *
 * @example
 * ```ts
 * retryDelayMs(1, 1_000, 60_000);   // 500–1,000 ms
 * retryDelayMs(4, 1_000, 60_000);   // 4,000–8,000 ms
 * retryDelayMs(20, 1_000, 60_000);  // 30,000–60,000 ms
 * ```
 */

/** Between half and all of `min(maxMs, baseMs × 2^(attempt − 1))`, after failed attempt `attempt` (from 1). */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 52));
  return Math.round(cap / 2 + random() * (cap / 2));
}
