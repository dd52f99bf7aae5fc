/**
 * Backpressure: how many operations of one kind (reads, writes, transactions) are queued
 * or in flight, and what a call does past the high-water mark: it waits its turn. Its
 * promise stays pending, its input (already validated) is held by reference, and it is
 * admitted in order as the operations before it settle. `Promise.all` over any number of
 * calls then works as it does with every other Node client (pg, Piscina's default
 * `maxQueue`), and what a flood grows is the caller's own inputs, which it holds anyway,
 * not encoded copies or messages.
 *
 * Refusal is the caller's choice: past `maxWaiting` waiting calls, a call rejects at once
 * with FLOWSTORE_OVERLOADED (0 refuses everything past the mark). Once the depth reaches
 * the mark `needsDrain` is set, as a stream's `write()` returns false, and `drained()`
 * resolves when nothing waits and the depth is back at half the mark, as `'drain'` fires.
 *
 * @example
 * ```ts
 * const writes = new Backlog('writes', 8_192, null);
 * const done = writes.tryEnter() ? send(op, parsed) : writes.wait(op.name, send, op, input);
 * ```
 */
import { FlowstoreError } from '../errors.ts';

export type BacklogKind = 'reads' | 'writes' | 'transactions';

export interface BacklogSnapshot {
  /** The most operations of this kind queued and in flight at once; past it a call waits. */
  readonly highWaterMark: number;
  /** Queued and in flight now. */
  readonly depth: number;
  /** The highest depth seen. */
  readonly peak: number;
  /** Calls waiting for room now: validated, not yet sent. */
  readonly waiting: number;
  /** Calls that had to wait, since the store opened. */
  readonly waited: number;
  /** Calls refused with FLOWSTORE_OVERLOADED (only with `maxWaiting` set). */
  readonly rejected: number;
  /** Times the depth reached the mark and callers were asked to wait for `drained()`. */
  readonly drains: number;
}

/** Starts an admitted call: what it returns is what the caller's promise settles with. */
export type Admit<A, B> = (a: A, b: B) => unknown;

/**
 * Waiting calls admitted together. Each call's promise is `gate.then(next)`, so that a
 * waiting call costs a promise reaction and three slots here, a small constant, instead
 * of a pair of resolving functions, a closure and an object (measured: ~64 B against
 * ~250 B a call, which is ~190 MB a million). Reactions run in the order they were added,
 * so `next` takes the calls of a gate one by one, in the order they came.
 */
interface Gate {
  readonly gate: Promise<void>;
  readonly open: () => void;
  /** Flattened triples: admit, a, b. */
  readonly calls: unknown[];
  opened: boolean;
  taken: number;
}

/** The most calls one gate admits at once: small beside the mark, so the depth stays near it. */
const MAX_GATE = 256;

export class Backlog {
  readonly kind: BacklogKind;
  readonly highWaterMark: number;
  /** Past this many waiting calls, a call is refused; null: never. */
  readonly maxWaiting: number | null;
  readonly #lowWaterMark: number;
  readonly #gateSize: number;
  #depth = 0;
  #peak = 0;
  /** Calls in gates not yet opened. */
  #waiting = 0;
  /** Calls in opened gates whose turn has not run yet: counted in the depth already. */
  #admitting = 0;
  #waited = 0;
  #rejected = 0;
  #drains = 0;
  #needsDrain = false;
  /** Oldest first; the opened ones, whose calls are being admitted, come first. */
  readonly #gates: Gate[] = [];
  #openedGates = 0;
  #drainWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(kind: BacklogKind, highWaterMark: number, maxWaiting: number | null = null) {
    this.kind = kind;
    this.highWaterMark = highWaterMark;
    this.maxWaiting = maxWaiting;
    // Half the mark, not zero: the threads keep work while the callers refill the queue.
    this.#lowWaterMark = Math.floor(highWaterMark / 2);
    this.#gateSize = Math.max(1, Math.min(MAX_GATE, Math.floor(highWaterMark / 8)));
  }

  get depth(): number {
    return this.#depth;
  }

  get waiting(): number {
    return this.#waiting;
  }

  /** True from the moment the depth reaches the mark until nothing waits and it is back at half of it. */
  get needsDrain(): boolean {
    return this.#needsDrain;
  }

  /** Counts one operation in if there is room and no call waits before it. */
  tryEnter(): boolean {
    if (this.#depth >= this.highWaterMark || this.#waiting > 0 || this.#admitting > 0) return false;
    this.#count(1);
    return true;
  }

  /**
   * Holds a call that found no room until its turn, then runs `admit(a, b)` (counted in):
   * the promise settles as what `admit` returns does, and rejects if it throws. Past
   * `maxWaiting`, rejects at once with FLOWSTORE_OVERLOADED and counts the refusal.
   */
  wait<A, B>(name: string, admit: Admit<A, B>, a: A, b: B): Promise<unknown> {
    if (this.maxWaiting !== null && this.#waiting >= this.maxWaiting) {
      this.#rejected++;
      return Promise.reject(this.overloaded(name));
    }
    let last = this.#gates.at(-1);
    if (!last || last.opened || last.calls.length >= 3 * this.#gateSize) {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => { open = resolve; });
      last = { gate, open, calls: [], opened: false, taken: 0 };
      this.#gates.push(last);
    }
    last.calls.push(admit, a, b);
    this.#waiting++;
    this.#waited++;
    if (!this.#needsDrain) this.#askForDrain();
    const promise = last.gate.then(this.#next);
    // Room may have come meanwhile (a call that waited behind an opened gate).
    this.#openGates();
    return promise;
  }

  /** Counts `count` operations out: they have settled. Admits the calls waiting for the room. */
  leave(count = 1): void {
    this.#depth -= count;
    this.#openGates();
    if (this.#waiting > 0 || this.#admitting > 0) return;
    if (this.#needsDrain && this.#depth <= this.#lowWaterMark) {
      this.#needsDrain = false;
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
    if (this.#depth === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves at once unless {@link needsDrain}; then when nothing waits and the depth is back at half the mark. */
  drained(): Promise<void> {
    if (!this.#needsDrain) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Resolves once nothing of this kind waits, is queued or is in flight. */
  idle(): Promise<void> {
    if (this.#depth === 0 && this.#waiting === 0 && this.#admitting === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** The error a refused call rejects with. */
  overloaded(op: string): FlowstoreError {
    return new FlowstoreError('FLOWSTORE_OVERLOADED',
      `${op}: ${this.#waiting} ${this.kind} are waiting for room past the high-water mark, the most maxWaiting allows; await store.drained() before issuing more`,
      { details: { op, kind: this.kind, highWaterMark: this.highWaterMark, maxWaiting: this.maxWaiting, depth: this.#depth, waiting: this.#waiting } });
  }

  snapshot(): BacklogSnapshot {
    return {
      highWaterMark: this.highWaterMark, depth: this.#depth, peak: this.#peak, waiting: this.#waiting,
      waited: this.#waited, rejected: this.#rejected, drains: this.#drains,
    };
  }

  #count(count: number): void {
    this.#depth += count;
    if (this.#depth > this.#peak) this.#peak = this.#depth;
    if (this.#depth >= this.highWaterMark && !this.#needsDrain) this.#askForDrain();
  }

  #askForDrain(): void {
    this.#needsDrain = true;
    this.#drains++;
  }

  /** Opens the gates, oldest first, while the room takes all of each; one alone is always let in. */
  #openGates(): void {
    let head: Gate | undefined;
    while ((head = this.#gates[this.#openedGates]) !== undefined) {
      const size = head.calls.length / 3;
      if (this.#depth > 0 && this.#depth + size > this.highWaterMark) return;
      head.opened = true;
      this.#openedGates++;
      this.#waiting -= size;
      this.#admitting += size;
      this.#count(size);
      head.open();
    }
  }

  /** A waiting call's turn: the next call of the oldest opened gate, in the order they came. */
  readonly #next = (): unknown => {
    const gate = this.#gates[0]!;
    const { calls } = gate;
    const at = 3 * gate.taken++;
    const admit = calls[at] as Admit<unknown, unknown>;
    const a = calls[at + 1];
    const b = calls[at + 2];
    // The input is the caller's from now on: the store no longer holds it once it is sent.
    calls[at + 1] = calls[at + 2] = undefined;
    if (at + 3 === calls.length) {
      this.#gates.shift();
      this.#openedGates--;
    }
    this.#admitting--;
    try {
      return admit(a, b);
    } catch (error) {
      this.leave();
      throw error;
    }
  };
}
