/**
 * Keeps a full OpenWorkflow worker from sleeping on its poll interval while its runs end.
 *
 * OpenWorkflow's worker claims for every free slot in one tick and loops at once when a
 * tick claimed something; a tick that finds every slot busy claims nothing and sleeps
 * 50-100 ms (then longer). With runs as short as a few writer round trips, every slot
 * ends long before that sleep does, so a worker at concurrency 64 ran 64 workflows per
 * sleep whatever the store's speed. So when the last claim of a tick finds a run while
 * other runs this backend handed out are still in progress, its answer is held until one
 * of them ends (its worker's slot free), or `MAX_HOLD_MS` passes: the worker's next tick
 * then finds free slots and refills them. A claim made with nothing else in progress (a
 * worker at concurrency 1, a lone caller) or that finds nothing is answered at once. The
 * claim itself is made at once, so what it returns is exactly what it was when asked;
 * only its answer comes later, as from a slower store.
 *
 * @example
 * ```ts
 * const refill = new Refill();
 * const run = await refill.claim(() => claimOne(), (run) => (run ? { id: run.id, leaseEnd: run.availableAt.getTime() } : null));
 * await refill.ending(run.id, completeRun(run.id));
 * ```
 */

/** Longest an answer is held: the worker would sleep 50-100 ms on its first idle tick. */
export const MAX_HOLD_MS = 100;
/** Runs remembered as in progress, at most (a caller may claim and never end them). */
const MAX_TRACKED = 10_000;

export class Refill {
  /**
   * Runs this backend handed out that have not ended through it, with the end of their
   * lease: a run whose lease ended without a word (its worker lost it, or stopped) no
   * longer counts, so it never holds a later claim.
   */
  readonly #inProgress = new Map<string, number>();
  /** Held answers, released when a run ends. */
  #waiters: (() => void)[] = [];
  #releaseScheduled = false;
  /** Claims asked and not yet answered: the last of a tick's claims is answered when none are. */
  #out = 0;

  /** Makes a claim through `take`; holds its answer as the file's comment says. */
  async claim<T>(take: () => Promise<T>, runOf: (result: T) => { id: string; leaseEnd: number } | null): Promise<T> {
    this.#out++;
    let result: T;
    try {
      result = await take();
    } finally {
      this.#out--;
    }
    const run = runOf(result);
    const last = this.#out === 0;
    if (run === null) return result;
    this.#forgetLapsed(Date.now());
    const othersRunning = this.#inProgress.size > 0;
    if (this.#inProgress.size >= MAX_TRACKED) this.#inProgress.delete(this.#inProgress.keys().next().value!);
    this.#inProgress.delete(run.id);
    this.#inProgress.set(run.id, run.leaseEnd);
    if (last && othersRunning) await this.#untilAnEnd();
    return result;
  }

  /** The lease of run `id` now ends at `leaseEnd`. */
  extended(id: string, leaseEnd: number): void {
    if (!this.#inProgress.delete(id)) return;
    this.#inProgress.set(id, leaseEnd);
  }

  /** Drops runs whose lease ended; the oldest come first, as leases are mostly alike. */
  #forgetLapsed(now: number): void {
    for (const [id, leaseEnd] of this.#inProgress) {
      if (leaseEnd > now) return;
      this.#inProgress.delete(id);
    }
  }

  /** `call` ends run `id` (completes, fails, parks or cancels it): once it settles, the run's slot is free. */
  ending<T>(id: string, call: Promise<T>): Promise<T> {
    return call.finally(() => this.#ended(id));
  }

  #ended(id: string): void {
    if (!this.#inProgress.delete(id) || this.#waiters.length === 0 || this.#releaseScheduled) return;
    this.#releaseScheduled = true;
    // After the ending call's continuations have run, so that the worker has freed the slot.
    setImmediate(() => {
      this.#releaseScheduled = false;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const release of waiters) release();
    });
  }

  #untilAnEnd(): Promise<void> {
    return new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== release);
        resolve();
      }, MAX_HOLD_MS);
      this.#waiters.push(release);
    });
  }
}
