/**
 * The main thread's handle on the writer thread: batches writes, matches replies to
 * requests, and replaces the thread when it dies. A write whose commit was not
 * acknowledged is never reported as committed: it rejects with FLOWSTORE_WORKER_EXITED.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { FlowstoreError, fromErrorData, type ErrorData } from '../errors.ts';
import { Backlog } from './backlog.ts';
import { Batcher, Pending, settle } from './batcher.ts';
import type { WorkerConfig } from './config.ts';
import type { Metrics } from './metrics.ts';
import { validate, type Op } from './op.ts';
import { packOps, type FromWriter, type ToWriter } from './protocol.ts';
import { THREAD_EXEC_ARGV, WRITER_FILE } from './worker-files.ts';
import type { EarlyWriter } from './early-writer.ts';

type Waiter =
  | { readonly kind: 'batch'; readonly ops: readonly Pending[]; readonly done: () => void; readonly reads?: boolean }
  | { readonly kind: 'done'; readonly resolve: () => void; readonly reject: (error: unknown) => void };

/** Two batches in flight: the writer commits one while the next is gathered and posted. */
const WRITER_PIPELINE = 2;
/**
 * Writes queued at once go in two batches only from this many each: a pair shares one commit.
 * A job enqueued and the claim an idle worker sends for it at once are such a pair, and the
 * job then starts a commit sooner. More writes are split: a workload that keeps only a few
 * in flight (OpenWorkflow's worker) runs 10-15 % faster with both batches busy than with
 * one holding them all (A/B, alternated: 8 a part cost it that much).
 */
const WRITER_SPREAD_FROM = 2;

function workerExited(cause?: unknown): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_WORKER_EXITED', 'the writer thread exited before acknowledging the operation; it may or may not have committed', { cause });
}

export class WriterClient {
  readonly #config: WorkerConfig;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #waiters = new Map<number, Waiter>();
  readonly #backlog: Backlog;
  readonly #batcher: Batcher;
  readonly #txBatchers = new Map<number, Batcher>();
  #worker!: Worker;
  #ready!: Promise<void>;
  #nextId = 1;
  #closing = false;
  #fatal: FlowstoreError | undefined;
  #lastError: Error | undefined;
  /** Topics whose events are relayed (listened to again by a replacement writer), and where they go. */
  readonly #topics = new Set<string>();
  #onEvent: (topic: string, payload: string | null) => void = () => {};

  private constructor(config: WorkerConfig, logger: Logger, metrics: Metrics, backlog: Backlog) {
    this.#config = config;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#backlog = backlog;
    this.#batcher = new Batcher(WRITER_PIPELINE, WRITER_SPREAD_FROM, (ops) => this.#post(ops), backlog);
  }

  /**
   * Starts the writer and waits until it has migrated the database. `backlog` counts the
   * writes outside transactions; each transaction's own get a backlog of the same limits,
   * so that a flood of other writes, which waits for the transaction, cannot fail it.
   */
  static async start(config: WorkerConfig, logger: Logger, metrics: Metrics, backlog: Backlog, early?: EarlyWriter): Promise<WriterClient> {
    const client = new WriterClient(config, logger, metrics, backlog);
    client.#spawn(early?.take(config));
    await client.#ready;
    return client;
  }

  get queued(): number {
    let depth = this.#batcher.queued + this.#batcher.inFlight;
    for (const batcher of this.#txBatchers.values()) depth += batcher.queued;
    return depth;
  }

  /** The thread, for tests that kill it. */
  get worker(): Worker {
    return this.#worker;
  }

  /** A write, validated into `parsed`; past the mark it waits its turn holding `input` (see Batcher.submit). */
  submit(op: Op, input: unknown, parsed: unknown): Promise<unknown> {
    return this.#batcher.submit(op, input, parsed);
  }

  /** A write that must run outside any transaction travels alone. */
  submitStandalone(op: Op, input: unknown, parsed: unknown): Promise<unknown> {
    if (this.#backlog.tryEnter()) return this.#startStandalone(op, parsed);
    return this.#backlog.wait(op.name, this.#admitStandalone, op, input);
  }

  submitInTx(tx: number, op: Op, input: unknown, parsed: unknown): Promise<unknown> {
    let batcher = this.#txBatchers.get(tx);
    if (!batcher) {
      batcher = new Batcher(1, Number.POSITIVE_INFINITY, (ops) => this.#post(ops, tx), new Backlog('writes', this.#backlog.highWaterMark, this.#backlog.maxWaiting));
      this.#txBatchers.set(tx, batcher);
    }
    return batcher.submit(op, input, parsed);
  }

  #startStandalone(op: Op, parsed: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      void this.#post([new Pending(op, parsed, this.#backlog, resolve, reject)], undefined, true);
    });
  }

  readonly #admitStandalone = (op: Op, input: unknown): Promise<unknown> => this.#startStandalone(op, validate(op, input));

  /**
   * Reads (counted in the readers' backlog already), run between batches outside any
   * transaction, while no reader thread has started (see ReaderClient.serveEarlyReadsWith).
   */
  serveReads(ops: Pending[]): Promise<void> {
    return this.#post(ops, undefined, true, true);
  }

  /**
   * Relays the backend's notifications of `topic` from other processes to `onEvent` (set
   * with {@link onEvents}); a backend that has none answers and sends nothing.
   */
  listen(topic: string): Promise<void> {
    this.#topics.add(topic);
    return this.#request((id) => ({ t: 'listen', id, topic }));
  }

  /** Where the events of the topics listened to go. */
  onEvents(onEvent: (topic: string, payload: string | null) => void): void {
    this.#onEvent = onEvent;
  }

  begin(tx: number, timeoutMs: number): Promise<void> {
    return this.#request((id) => ({ t: 'begin', id, tx, timeoutMs }));
  }

  async end(tx: number, commit: boolean): Promise<void> {
    await this.#txBatchers.get(tx)?.whenIdle();
    this.#txBatchers.delete(tx);
    return this.#request((id) => ({ t: 'end', id, tx, commit }));
  }

  /** Waits for every accepted write to settle, then stops the thread. */
  async close(timeoutMs: number): Promise<void> {
    // The backlog's, not only the batcher's: standalone writes, and those waiting for room, count there.
    await this.#batcher.whenIdle();
    this.#closing = true;
    const closed = this.#request((id) => ({ t: 'close', id })).catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
    await Promise.race([closed, timeout]);
    clearTimeout(timer);
    await this.#worker.terminate();
  }

  /** Starts a writer thread, or takes over `early`, one started early and already sent its configuration. */
  #spawn(early?: Worker): void {
    const worker = early ?? new Worker(WRITER_FILE, { workerData: this.#config, name: 'flowstore-writer', execArgv: THREAD_EXEC_ARGV });
    this.#worker = worker;
    let started = false;
    this.#ready = new Promise<void>((resolve, reject) => {
      const onReady = (message: FromWriter) => {
        if (message.t === 'ready') {
          started = true;
          this.#logger.debug({ applied: message.applied }, 'flowstore writer ready');
          resolve();
        } else if (message.t === 'fatal') {
          this.#fatal = fromErrorData(message.error);
          reject(this.#fatal);
        }
      };
      worker.once('message', onReady);
      worker.once('exit', () => reject(this.#fatal ?? workerExited(this.#lastError)));
    });
    this.#ready.catch(() => {});
    worker.on('message', (message: FromWriter) => this.#receive(message));
    worker.on('error', (error) => {
      this.#lastError = error;
      this.#logger.error({ err: error }, 'flowstore writer thread failed');
    });
    worker.on('exit', (code) => this.#exited(worker, code, started));
  }

  /**
   * A writer that dies is replaced, once it had started: one that dies before it says it
   * is ready (its code failed to load, say) would die again, so every write from then on
   * rejects with that error instead of the process starting threads forever.
   */
  #exited(worker: Worker, code: number, started: boolean): void {
    if (worker !== this.#worker) return;
    const error = this.#fatal ?? workerExited(this.#lastError ?? new Error(`writer thread exited with code ${code}`));
    if (!started) this.#fatal = error;
    this.#lastError = undefined;
    const waiters = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const waiter of waiters) {
      if (waiter.kind === 'batch') {
        waiter.ops.forEach((op) => op.reject(error));
        waiter.done();
      } else {
        waiter.reject(error);
      }
    }
    if (this.#closing || this.#fatal) return;
    this.#logger.warn({ code }, 'flowstore writer thread exited; starting a new one');
    this.#metrics.workerRestarts++;
    this.#spawn();
    // The new writer listens again; what came meanwhile is not known: every topic may have news.
    for (const topic of this.#topics) {
      this.#request((id) => ({ t: 'listen', id, topic })).then(() => this.#onEvent(topic, null), () => {});
    }
  }

  #receive(message: FromWriter): void {
    if (message.t === 'ready' || message.t === 'fatal') return;
    if (message.t === 'event') return this.#onEvent(message.topic, message.payload);
    const waiter = this.#waiters.get(message.id);
    if (!waiter) return;
    this.#waiters.delete(message.id);
    if (message.t === 'results' && waiter.kind === 'batch') {
      if (waiter.reads) this.#metrics.recordRead(waiter.ops.length, message.busyRetries);
      else this.#metrics.recordWrite(waiter.ops.length, message.commitMs, message.busyRetries);
      settle(waiter.ops, message.outcome);
      waiter.done();
    } else if (message.t === 'done' && waiter.kind === 'done') {
      if (message.error) waiter.reject(fromErrorData(message.error));
      else waiter.resolve();
    }
  }

  async #post(ops: Pending[], tx?: number, standalone?: boolean, reads?: boolean): Promise<void> {
    try {
      await this.#ready;
    } catch (error) {
      ops.forEach((op) => op.reject(error));
      return;
    }
    return new Promise<void>((done) => {
      const id = this.#nextId++;
      const message: ToWriter = { t: 'batch', id, ops: packOps(ops), tx, standalone };
      try {
        this.#worker.postMessage(message);
        this.#waiters.set(id, { kind: 'batch', ops, done, reads });
      } catch {
        // A value that cannot be cloned (a function, a symbol) fails the whole post:
        // reject only the operations that hold one, and send the others.
        const sendable = ops.filter((op) => cloneable(op));
        if (sendable.length > 0) void this.#post(sendable, tx, standalone, reads).then(done);
        else done();
      }
    });
  }

  async #request(build: (id: number) => ToWriter): Promise<void> {
    await this.#ready;
    return new Promise<void>((resolve, reject) => {
      const id = this.#nextId++;
      this.#waiters.set(id, { kind: 'done', resolve, reject });
      this.#worker.postMessage(build(id));
    });
  }
}

function cloneable(op: Pending): boolean {
  try {
    structuredClone(op.input);
    return true;
  } catch (cause) {
    op.reject(new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${op.name}: a value cannot be stored: ${(cause as Error).message}`, { cause }));
    return false;
  }
}
