/**
 * Waiting for a lock held by another connection or process. node:sqlite's `timeout`
 * blocks the thread that waits, so connections get a short one and the rest of the
 * wait is an async backoff with jitter: the worker stays able to close and to report.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowstoreError } from '../../errors.ts';
import { backoffMs } from '../../engine/backoff.ts';
import { isBusy } from './errors.ts';

/** The busy timeout given to every connection: one short slice of blocking wait. */
export const BUSY_SLICE_MS = 5;

export interface RetryStats {
  busyRetries: number;
}

/**
 * Runs `attempt` until it does not fail with a busy code or `timeoutMs` has passed;
 * then throws FLOWSTORE_BUSY with the last SQLite error as its cause.
 */
export async function retryBusy<T>(attempt: () => T | Promise<T>, timeoutMs: number, stats: RetryStats): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new FlowstoreError('FLOWSTORE_BUSY', `database is locked; gave up after ${timeoutMs} ms`, {
          details: { busyTimeoutMs: timeoutMs, attempts: n }, cause: error,
        });
      }
      stats.busyRetries++;
      await sleep(Math.min(left, backoffMs(n)));
    }
  }
}
