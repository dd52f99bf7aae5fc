/**
 * Backpressure: how many operations of one kind (reads, writes, transactions waiting
 * their turn) are queued or in flight, and the high-water mark past which a new one is
 * refused. A caller that outruns the disk would otherwise grow the queue, and the
 * process with it, until the operating system kills it and every unacknowledged write
 * with it.
 *
 * Past the mark a call rejects at once with FLOWSTORE_OVERLOADED, as piscina's `maxQueue`
 * does, rather than waiting for room: a call that waited would still hold its input in
 * memory, and a caller that does not await would still grow without bound. Once the
 * depth reaches the mark `needsDrain` is set, as a stream's `write()` returns false, and
 * `drained()` resolves when the depth is back at half the mark, as `'drain'` fires.
 *
 * @example
 * ```ts
 * const writes = new Backlog('writes', 8_192);
 * if (writes.tryEnter()) send(); else refuse(writes.overloaded());
 * ```
 */
import { FlowstoreError } from '../errors.ts';

export type BacklogKind = 'reads' | 'writes' | 'transactions';

export interface BacklogSnapshot {
  /** The most operations of this kind queued and in flight at once; past it a call rejects. */
  readonly highWaterMark: number;
  /** Queued and in flight now. */
  readonly depth: number;
  /** The highest depth seen. */
  readonly peak: number;
  /** Calls refused with FLOWSTORE_OVERLOADED. */
  readonly rejected: number;
  /** Times the depth reached the mark and callers were asked to wait for `drained()`. */
  readonly drains: number;
}

export class Backlog {
  readonly kind: BacklogKind;
  readonly highWaterMark: number;
  readonly #lowWaterMark: number;
  #depth = 0;
  #peak = 0;
  #rejected = 0;
  #drains = 0;
  #needsDrain = false;
  #waiters: (() => void)[] = [];

  constructor(kind: BacklogKind, highWaterMark: number) {
    this.kind = kind;
    this.highWaterMark = highWaterMark;
    // Half the mark, not zero: the threads keep work while the callers refill the queue.
    this.#lowWaterMark = Math.floor(highWaterMark / 2);
  }

  get depth(): number {
    return this.#depth;
  }

  /** True from the moment the depth reaches the mark until it is back at half of it. */
  get needsDrain(): boolean {
    return this.#needsDrain;
  }

  /** Counts one operation in, unless the backlog is full; a refusal is counted. */
  tryEnter(): boolean {
    if (this.#depth >= this.highWaterMark) {
      this.#rejected++;
      return false;
    }
    if (++this.#depth > this.#peak) this.#peak = this.#depth;
    if (this.#depth >= this.highWaterMark && !this.#needsDrain) {
      this.#needsDrain = true;
      this.#drains++;
    }
    return true;
  }

  /** Counts `count` operations out: they have settled. */
  leave(count = 1): void {
    this.#depth -= count;
    if (this.#needsDrain && this.#depth <= this.#lowWaterMark) {
      this.#needsDrain = false;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves at once unless {@link needsDrain}; then when the depth is back at half the mark. */
  drained(): Promise<void> {
    if (!this.#needsDrain) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The error a refused call rejects with. */
  overloaded(op: string): FlowstoreError {
    return new FlowstoreError('FLOWSTORE_OVERLOADED',
      `${op}: ${this.#depth} ${this.kind} are queued or in flight, the high-water mark; await store.drained() before issuing more`,
      { details: { op, kind: this.kind, highWaterMark: this.highWaterMark, depth: this.#depth } });
  }

  snapshot(): BacklogSnapshot {
    return { highWaterMark: this.highWaterMark, depth: this.#depth, peak: this.#peak, rejected: this.#rejected, drains: this.#drains };
  }
}
