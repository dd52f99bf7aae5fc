/**
 * Coalescing: operations issued in the same turn, or while earlier batches are in
 * flight, travel together as one message and settle one by one. One message per
 * operation would cap throughput at the cost of a thread hop each (PERFORMANCE.md).
 */
import { deserialize } from 'node:v8';
import { FlowstoreError, fromErrorData } from '../errors.ts';
import type { Backlog } from './backlog.ts';
import { validate, type Op } from './op.ts';
import type { Outcome, WireOp } from './protocol.ts';

/** Turns what a worker returned into what the caller gets (an op's `finish`), on the main thread. */
export type Finish = (wire: any) => unknown;

/**
 * An operation on its way. It leaves its backlog the moment it settles, before its
 * caller's code runs on: a caller that awaited it and issues the next one finds the room.
 */
export class Pending implements WireOp {
  readonly name: string;
  readonly input: unknown;
  readonly #backlog: Backlog;
  readonly #finish: Finish | undefined;
  readonly #alone: boolean;
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  constructor(op: Op, input: unknown, backlog: Backlog, resolve: (value: unknown) => void, reject: (error: unknown) => void) {
    this.name = op.name;
    this.input = input;
    this.#backlog = backlog;
    this.#finish = op.finish;
    this.#alone = op.alone === true;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** A read with a transaction of its own (a snapshot, a query): it may run long (see OpSpec.alone). */
  get alone(): boolean {
    return this.#alone;
  }

  resolve(value: unknown): void {
    const resolve = this.#resolve;
    const reject = this.#reject!;
    if (!resolve) return;
    this.#resolve = this.#reject = undefined;
    this.#backlog.leave();
    if (this.#finish === undefined) return resolve(value);
    let result: unknown;
    try {
      result = this.#finish(value);
    } catch (error) {
      return reject(error);
    }
    resolve(result);
  }

  reject(error: unknown): void {
    const reject = this.#reject;
    if (!reject) return;
    this.#resolve = this.#reject = undefined;
    this.#backlog.leave();
    reject(error);
  }
}

/** The largest batch one message carries: big enough to amortize a hop, small enough to keep latency flat. */
export const MAX_BATCH = 2048;

export class Batcher {
  readonly #queue: Pending[] = [];
  readonly #maxInFlight: number;
  readonly #spreadFrom: number;
  readonly #send: (batch: Pending[]) => Promise<void>;
  readonly #backlog: Backlog;
  readonly #idle: (() => void)[] = [];
  #inFlight = 0;
  #scheduled = false;

  /**
   * @param maxInFlight batches sent but not yet settled
   * @param spreadFrom split the queue evenly over free slots once each part would hold this many
   *   operations (readers run in parallel; the writer commits one while the next is on its way);
   *   Infinity: never
   * @param send posts a batch and settles each of its operations; must not reject
   * @param backlog counts each operation from its submission until it settles, and holds one back past the mark
   */
  constructor(maxInFlight: number, spreadFrom: number, send: (batch: Pending[]) => Promise<void>, backlog: Backlog) {
    this.#maxInFlight = maxInFlight;
    this.#spreadFrom = spreadFrom;
    this.#send = send;
    this.#backlog = backlog;
  }

  /** Operations waiting plus operations in flight are what `metrics().queueDepth` reports. */
  get queued(): number {
    return this.#queue.length;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Queues an operation whose input was validated into `parsed`; past the backlog's
   * high-water mark it waits its turn holding `input` by reference, and is validated again
   * when admitted (the caller may have changed it meanwhile).
   */
  submit(op: Op, input: unknown, parsed: unknown): Promise<unknown> {
    if (this.#backlog.tryEnter()) return this.#start(op, parsed);
    return this.#backlog.wait(op.name, this.#admit, op, input);
  }

  /** Resolves once nothing waits, is queued or is in flight. */
  async whenIdle(): Promise<void> {
    await this.#backlog.idle();
    if (this.#queue.length === 0 && this.#inFlight === 0) return;
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Queues an operation already counted in its backlog. */
  #start(op: Op, parsed: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push(new Pending(op, parsed, this.#backlog, resolve, reject));
      this.#schedule();
    });
  }

  /** A waiting operation's turn. */
  readonly #admit = (op: Op, input: unknown): Promise<unknown> => this.#start(op, validate(op, input));

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0 && this.#inFlight < this.#maxInFlight) {
      const even = Math.ceil(this.#queue.length / (this.#maxInFlight - this.#inFlight));
      const size = Math.min(MAX_BATCH, even >= this.#spreadFrom ? even : this.#queue.length);
      const batch = this.#queue.splice(0, size);
      this.#inFlight++;
      void this.#send(batch).finally(() => {
        this.#inFlight--;
        // What the settled operations' callers issued next is queued by now: it goes at
        // once, before another reply is handled. Waiting for setImmediate would let the
        // other batch's reply, often already there, settle first, and the two batches
        // would then travel together, in lockstep, for good.
        if (this.#queue.length > 0) this.#flush();
        else if (this.#inFlight === 0) this.#idle.splice(0).forEach((resolve) => resolve());
      });
    }
  }
}

/** How long settling serialized values runs before it lets the caller's event loop turn. */
export const SETTLE_SLICE_MS = 2;

/**
 * Settles each pending operation from the outcome a worker sent back, at once; or, when
 * its values came serialized one by one (large ones, see protocol.ts), deserializing
 * each in turn and yielding to the event loop before the next would take the slice past
 * SETTLE_SLICE_MS: the promise says when all are settled. The yield is a timer, not
 * setImmediate: settling runs in the poll phase, where setImmediate comes back before any
 * timer runs.
 */
export function settle(batch: readonly Pending[], outcome: Outcome): void | Promise<void> {
  const { values, errors } = outcome;
  if (outcome.serialized) return settleSliced(batch, outcome);
  for (let i = 0; i < batch.length; i++) {
    const error = errors?.[i];
    if (error) batch[i]!.reject(fromErrorData(error));
    else batch[i]!.resolve(values?.[i]);
  }
}

/** A batch of serialized values waiting for its turn to settle. */
interface Sliced {
  readonly batch: readonly Pending[];
  readonly outcome: Outcome;
  next: number;
  readonly done: () => void;
}

/**
 * Every batch of serialized values, of every reader and store, settles through this one
 * queue, so that the slices are the caller's thread's, not each batch's: two answers that
 * arrive in one turn would otherwise run a slice each, back to back, before any timer.
 */
const slicedQueue: Sliced[] = [];

/**
 * Settling time spent since the caller's timers last had a turn. It outlives a drain: a
 * batch that arrives just after another's drain ended, before any timer ran, goes on with
 * the same slice instead of starting one of its own.
 */
let spentMs = 0;
let timersTurn: Promise<void> | undefined;
/** What reading a value cost last time, per byte: what the next one is expected to cost. */
let msPerByte = 0;

/** Resolves once the caller's timers due by now have run; the slice starts again then. */
function afterTimers(): Promise<void> {
  return (timersTurn ??= new Promise<void>((resolve) => setTimeout(() => {
    spentMs = 0;
    timersTurn = undefined;
    resolve();
  }, 0)));
}

function settleSliced(batch: readonly Pending[], outcome: Outcome): Promise<void> {
  return new Promise<void>((done) => {
    slicedQueue.push({ batch, outcome, next: 0, done });
    if (slicedQueue.length === 1) void drainSliced();
  });
}

/**
 * Settles the queue value by value. Before a value expected to take the slice past
 * SETTLE_SLICE_MS it yields, and a slice always settles one: a slice outlasts
 * SETTLE_SLICE_MS only when one value alone takes longer.
 */
async function drainSliced(): Promise<void> {
  while (slicedQueue.length > 0) {
    const job = slicedQueue[0]!;
    const bytes = job.outcome.values?.[job.next] as Uint8Array | undefined;
    const size = bytes?.byteLength ?? 0;
    if (spentMs > 0 && spentMs + size * msPerByte > SETTLE_SLICE_MS) await afterTimers();
    const started = performance.now();
    settleSerialized(job.batch[job.next]!, job.outcome, job.next);
    const took = performance.now() - started;
    spentMs += took;
    if (size > 0) msPerByte = took / size;
    if (++job.next === job.batch.length) {
      slicedQueue.shift();
      job.done();
    }
  }
  if (spentMs > 0) void afterTimers();
}

function settleSerialized(op: Pending, { values, errors }: Outcome, i: number): void {
  const error = errors?.[i];
  if (error) return op.reject(fromErrorData(error));
  const bytes = values?.[i] as Uint8Array | undefined;
  let value: unknown;
  try {
    value = bytes === undefined ? undefined : deserialize(bytes);
  } catch (cause) {
    return op.reject(new FlowstoreError('FLOWSTORE_CORRUPT', 'a reader\'s answer could not be read', { cause }));
  }
  op.resolve(value);
}
