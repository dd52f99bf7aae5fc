/**
 * Cron schedules come due in every process that runs a worker: each such process wakes at
 * the next tick of any schedule and asks the store to enqueue it. The store enqueues a
 * tick only for the call that moves the schedule's last tick forward (one conditional
 * update, in the writer's transaction), so however many processes and hosts ask, each
 * tick is enqueued once; after a time when nothing ran, only the most recent missed tick is.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler(invoker, wakeups, logger);
 * scheduler.start();   // store.queue.work() does this
 * ```
 */
import type { Logger } from 'pino';
import { isFlowstoreError } from '../../errors.ts';
import type { Invoker } from '../../engine/op.ts';
import { queue as ops } from './ops.ts';
import { latestTick, nextTick } from './cron.ts';
import type { Wakeups } from './wakeups.ts';

/** How often schedules are read again, to find those another process added or changed. */
export const SCHEDULE_REFRESH_MS = 30_000;
/** The longest a timer can wait (setTimeout's limit). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Scheduler {
  readonly #invoker: Invoker;
  readonly #wakeups: Wakeups;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #started = false;
  /** Asked to read the schedules again while a pass was running. */
  #again = false;

  constructor(invoker: Invoker, wakeups: Wakeups, logger: Logger) {
    this.#invoker = invoker;
    this.#wakeups = wakeups;
    this.#logger = logger;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.refresh();
  }

  /** Reads the schedules again now (one was added or changed here). */
  refresh(): void {
    if (!this.#started) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#tick().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.refresh();
      }
    });
  }

  async stop(): Promise<void> {
    this.#started = false;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Enqueues each schedule's most recent tick not enqueued yet, then sleeps until the next one. */
  async #tick(): Promise<void> {
    let wait = SCHEDULE_REFRESH_MS;
    try {
      const now = Date.now();
      for (const schedule of await this.#invoker.invoke(ops.ops.schedules, { now })) {
        const due = latestTick(schedule.cron, schedule.timeZone, new Date(now));
        if (due && due > (schedule.lastTick ?? schedule.createdAt)) {
          if (await this.#invoker.invoke(ops.ops.fireTick, { name: schedule.name, tick: due.getTime(), now })) this.#wakeups.notify(schedule.name);
        }
        const next = nextTick(schedule.cron, schedule.timeZone, new Date(now));
        if (next) wait = Math.min(wait, next.getTime() - now);
      }
    } catch (error) {
      if (isFlowstoreError(error) && error.code === 'FLOWSTORE_CLOSED') return;
      this.#logger.error({ err: error }, 'flowstore queue scheduler');
    }
    if (!this.#started) return;
    // A tick is due at its instant: wake just after it, never before.
    this.#timer = setTimeout(() => this.refresh(), Math.min(MAX_TIMER_MS, Math.max(1, wait + 1)));
  }
}
