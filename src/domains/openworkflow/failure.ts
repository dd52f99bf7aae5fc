/**
 * OpenWorkflow's retry policy: what a failed attempt makes of a run. Pending again after a
 * capped exponential backoff, without jitter; failed past its attempts, at its deadline, or
 * when the retry would come after it.
 *
 * @example
 * ```ts
 * failure({ initialMs: 1000, coefficient: 2, maximumMs: 60_000, maximumAttempts: 3 }, 1, null, '{"message":"x"}', Date.now());
 * // { status: 'pending', availableAt: now + 1000, finishedAt: null, error: '{"message":"x"}' }
 * ```
 */
import type { RetryPolicyMs } from './schema.ts';

/** The error a run past its deadline fails with, as OpenWorkflow's backends write it. */
export const DEADLINE_EXCEEDED = JSON.stringify({ message: 'Workflow run deadline exceeded' });

/** Capped exponential backoff after failed attempt `attempt` (from 1); no jitter, as OpenWorkflow's policy says. */
export function backoffMs(policy: RetryPolicyMs, attempt: number): number {
  return Math.min(policy.initialMs * policy.coefficient ** Math.max(0, attempt - 1), policy.maximumMs);
}

/** What a failed attempt makes of a run: pending again after the backoff, or failed (past its attempts or its deadline). */
export function failure(policy: RetryPolicyMs, attempts: number, deadlineAt: number | null, error: string, now: number) {
  const failed = (finalError: string) => ({ status: 'failed', availableAt: null, finishedAt: now, error: finalError });
  if (deadlineAt !== null && now >= deadlineAt) return failed(DEADLINE_EXCEEDED);
  if (policy.maximumAttempts > 0 && attempts >= policy.maximumAttempts) return failed(error);
  const retryAt = now + backoffMs(policy, attempts);
  if (deadlineAt !== null && retryAt >= deadlineAt) return failed(error);
  return { status: 'pending', availableAt: retryAt, finishedAt: null, error };
}
