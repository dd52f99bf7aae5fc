/**
 * A schedule's ticks, from its cron expression and time zone (croner): apart from the
 * domain's schemas, so that the writer, which enqueues ticks and lists schedules, loads no
 * schema library for them.
 *
 * @example
 * ```ts
 * nextTick('0 * * * *', 'Europe/Paris', new Date());   // the next whole hour
 * ```
 */
import { Cron } from 'croner';

/** The next tick of a cron expression after `from`, or null when it never fires again. */
export function nextTick(cron: string, timeZoneName: string | null, from: Date): Date | null {
  return new Cron(cron, { timezone: timeZoneName ?? undefined, paused: true }).nextRun(from);
}

/** The newest tick of a cron expression at or before `at`, or null when there was none. */
export function latestTick(cron: string, timeZoneName: string | null, at: Date): Date | null {
  // previousRuns looks strictly before its reference: a tick exactly at `at` is found from 1 ms later.
  return new Cron(cron, { timezone: timeZoneName ?? undefined, paused: true }).previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
}
