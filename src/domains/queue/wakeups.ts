/**
 * Wake-ups of a store's workers: a job enqueued in this process starts at once, not at a
 * worker's next poll. The queue's API says which queue gets work as the write goes to the
 * writer (inside a transaction, once the transaction has committed); other processes' enqueues
 * arrive the same way when the backend relays them (PostgreSQL's NOTIFY).
 *
 * @example
 * ```ts
 * const stop = wakeups.subscribe('emails', () => worker.claimNow());
 * wakeups.notify('emails');
 * ```
 */
export class Wakeups {
  readonly #listeners = new Map<string, Set<() => void>>();

  /** Calls `listener` whenever `queue` may have work; returns the unsubscribe. */
  subscribe(queue: string, listener: () => void): () => void {
    let set = this.#listeners.get(queue);
    if (!set) this.#listeners.set(queue, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(queue);
    };
  }

  /** `queue` may have work now; `undefined`: any queue may (notifications may have been missed). */
  notify(queue: string | undefined): void {
    if (queue === undefined) {
      for (const set of this.#listeners.values()) for (const listener of set) listener();
      return;
    }
    for (const listener of this.#listeners.get(queue) ?? []) listener();
  }
}
