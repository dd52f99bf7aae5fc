/**
 * The main thread's side of a store: validates every call before anything is sent,
 * routes reads to the reader pool and writes to the writer, runs interactive
 * transactions, and drains on close.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { FlowstoreError } from '../errors.ts';
import type { ParsedOptions } from '../options.ts';
import type { Backend, Companion, Location } from './backend.ts';
import { Backlog } from './backlog.ts';
import type { WorkerConfig } from './config.ts';
import type { EarlyWriter } from './early-writer.ts';
import { Metrics, type MetricsSnapshot } from './metrics.ts';
import { migrationsDir } from './migrate.ts';
import { validate, type Invoker, type Op } from './op.ts';
import { ReaderClient } from './reader-client.ts';
import { WriterClient } from './writer-client.ts';

/** How long after a store opens its backend's companion thread starts (see Engine#startCompanionLater). */
export const COMPANION_DELAY_MS = 1_000;

/** What a transaction that waited for room does once admitted: it goes on, counted in. */
function admitted(): void {}

function closedError(): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_CLOSED', 'the store is closed');
}

function readOnlyError(what: string): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_READ_ONLY', `${what} writes, and the store was opened with readOnly: true`, { details: { op: what } });
}

interface TxState {
  readonly id: number;
  open: boolean;
}

interface Backlogs {
  readonly reads: Backlog;
  readonly writes: Backlog;
  readonly transactions: Backlog;
}

/** Which transaction the running code belongs to, to catch nesting and writes that would wait on themselves. */
const currentTx = new AsyncLocalStorage<TxState>();

export interface TransactionOptions {
  /** Rolled back with FLOWSTORE_TX_TIMEOUT past this many milliseconds. */
  timeoutMs?: number;
}

/** What the threads are started with: where the store lives, and how. */
function workerConfig(backend: Backend, options: ParsedOptions, location: Location): WorkerConfig {
  return {
    backend: backend.name,
    threads: backend.threads,
    readerNiceness: options.readerNiceness,
    durability: options.durability,
    busyTimeoutMs: options.busyTimeoutMs,
    compression: options.compression,
    migrationsDir: migrationsDir(backend.name),
    settings: backend.settings(location, options, (options as Record<string, unknown>)[backend.name]),
  };
}

export class Engine implements Invoker {
  readonly options: ParsedOptions;
  readonly location: Location;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Absent in a read-only store. */
  readonly #writer: WriterClient | undefined;
  readonly #readers: ReaderClient;
  #companion: Companion | undefined;
  #companionTimer: NodeJS.Timeout | undefined;
  readonly #walBytes: () => Promise<number>;
  readonly #backlogs: Backlogs;
  #txQueue: Promise<void> = Promise.resolve();
  /** Who hears each topic's events from other processes (see {@link listen}). */
  readonly #listeners = new Map<string, Set<(payload: string | null) => void>>();
  #nextTx = 1;
  /** Transactions begun and not yet ended, waiting ones included. */
  #transactions = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(options: ParsedOptions, location: Location, logger: Logger, metrics: Metrics, writer: WriterClient | undefined, readers: ReaderClient, backlogs: Backlogs, walBytes: () => Promise<number>) {
    this.#walBytes = walBytes;
    this.#backlogs = backlogs;
    this.options = options;
    this.metrics = metrics;
    this.location = location;
    this.logger = logger;
    this.#writer = writer;
    this.#readers = readers;
  }

  /** Starts the threads of `backend` on `location`; resolves once the writer has migrated the store. */
  static async start(backend: Backend, options: ParsedOptions, location: Location, logger: Logger, early?: EarlyWriter): Promise<Engine> {
    const config = workerConfig(backend, options, location);
    const walBytes = async () => (await backend.walBytes?.(config)) ?? 0;
    const metrics = new Metrics();
    const backlogs: Backlogs = {
      reads: new Backlog('reads', options.highWaterMark, options.maxWaiting),
      writes: new Backlog('writes', options.highWaterMark, options.maxWaiting),
      transactions: new Backlog('transactions', options.highWaterMark, options.maxWaiting),
    };
    if (options.readOnly) {
      early?.discard();
      if (location.kind === 'memory') throw new FlowstoreError('FLOWSTORE_INVALID_OPTIONS', 'readOnly: an in-memory store has nothing to read', { details: { field: 'readOnly' } });
      await backend.verifyReadOnly(config);
      const readers = new ReaderClient(config, options.readers, metrics, logger, backlogs.reads);
      return new Engine(options, location, logger, metrics, undefined, readers, backlogs, walBytes);
    }
    // The writer is told its configuration first (an early writer has been waiting for it).
    // The first reader thread starts beside the writer, not after it: it loads its modules
    // while the writer migrates, and opens its connection with its first read, which can
    // only come once the store is open, so after the writer has migrated.
    const starting = WriterClient.start(config, logger, metrics, backlogs.writes, early);
    const readers = new ReaderClient(config, options.readers, metrics, logger, backlogs.reads);
    let writer: WriterClient;
    try {
      writer = await starting;
    } catch (error) {
      await readers.close().catch(() => {});
      throw error;
    }
    const engine = new Engine(options, location, logger, metrics, writer, readers, backlogs, walBytes);
    // Until a reader thread has started, the writer serves short reads between its batches.
    // Not while a transaction is open or waiting: the writer serves only it then, and a read
    // outside it (allowed on a file) would wait for its end. Nor one that may run long (a
    // query, a snapshot): writes would wait for it.
    readers.serveEarlyReadsWith((ops) => (engine.#transactions > 0 || ops.some((op) => op.alone) ? undefined : writer.serveReads(ops)));
    if (backend.startCompanion) engine.#startCompanionLater(() => backend.startCompanion!(config, logger));
    return engine;
  }

  /**
   * The backend's companion thread (SQLite's checkpointer) starts {@link COMPANION_DELAY_MS}
   * after the store opens, not with it: a short process (a command, a cron job) is done
   * before then and never pays for a thread it had no use for, and a long one does not
   * start it while its own first work waits for the same cores. Until then the writer
   * checkpoints alone, as it does whenever the companion is gone.
   */
  #startCompanionLater(start: () => Companion | undefined): void {
    this.#companionTimer = setTimeout(() => {
      this.#companionTimer = undefined;
      if (!this.#closed) this.#companion = start();
    }, COMPANION_DELAY_MS);
    // It must not keep the process alive: the store's other threads decide that.
    this.#companionTimer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True once reads, writes or waiting transactions have reached the high-water mark, until they are back at half of it. */
  get needsDrain(): boolean {
    const { reads, writes, transactions } = this.#backlogs;
    return reads.needsDrain || writes.needsDrain || transactions.needsDrain;
  }

  /** Resolves once no kind of operation is at its high-water mark (at once when none is). */
  async drained(): Promise<void> {
    const { reads, writes, transactions } = this.#backlogs;
    while (this.needsDrain) await Promise.all([reads.drained(), writes.drained(), transactions.drained()]);
  }

  invoke<Z extends z.ZodType, O>(op: Op<any, Z, O>, input: z.input<Z>): Promise<O> {
    if (this.#closed) return Promise.reject(closedError());
    let parsed: z.output<Z>;
    try {
      parsed = validate(op, input);
    } catch (error) {
      return Promise.reject(error);
    }
    const tx = currentTx.getStore();
    if (op.kind === 'read') {
      // In memory there is no WAL: a reader waits for the writer's open transaction, here its own caller's.
      if (tx?.open && this.location.kind === 'memory') {
        return Promise.reject(new FlowstoreError('FLOWSTORE_CONFLICT', `${op.name} called on the store inside a transaction on :memory: would wait for that transaction: use the transaction's tx instead`, { details: { op: op.name } }));
      }
      return this.#readers.submit(op, input, parsed) as Promise<O>;
    }
    if (!this.#writer) return Promise.reject(readOnlyError(op.name));
    if (tx?.open) {
      // Outside writes wait for the open transaction: from inside it, this one would wait for itself.
      return Promise.reject(new FlowstoreError('FLOWSTORE_CONFLICT', `${op.name} called on the store inside a transaction: use the transaction's tx instead`, { details: { op: op.name } }));
    }
    if (op.transactional === false) return this.#writer.submitStandalone(op, input, parsed) as Promise<O>;
    return this.#writer.submit(op, input, parsed) as Promise<O>;
  }

  /**
   * Calls `onEvent` with what the backend relays of `topic` from other processes (on
   * PostgreSQL, NOTIFY on the topic's channel; SQLite relays nothing). Returns the unsubscribe.
   */
  listen(topic: string, onEvent: (payload: string | null) => void): () => void {
    let set = this.#listeners.get(topic);
    if (!set) {
      this.#listeners.set(topic, (set = new Set()));
      this.#writer?.onEvents((name, payload) => this.#listeners.get(name)?.forEach((listener) => listener(payload)));
      this.#writer?.listen(topic).catch((error: unknown) => this.logger.warn({ err: error, topic }, 'flowstore: cannot listen to other processes; polling only'));
    }
    set.add(onEvent);
    return () => set.delete(onEvent);
  }

  /**
   * Runs `fn` in one write transaction; `makeTx` builds the namespaces bound to it, and may
   * register with `onCommit` what is to happen once (and only if) it has committed.
   */
  async transaction<T, N>(makeTx: (invoker: Invoker, onCommit: (callback: () => void) => void) => N, fn: (tx: N) => Promise<T> | T, options: TransactionOptions = {}): Promise<T> {
    if (this.#closed) throw closedError();
    if (!this.#writer) throw readOnlyError('transaction');
    const writer = this.#writer;
    if (currentTx.getStore()?.open) throw new FlowstoreError('FLOWSTORE_CONFLICT', 'transactions do not nest: use the tx you were given');
    const timeoutMs = options.timeoutMs ?? this.options.transactionTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', 'timeoutMs: must be a positive integer', { details: { field: 'timeoutMs' } });
    const backlog = this.#backlogs.transactions;
    this.#transactions++;
    // Past the mark a transaction waits for room before it takes its place in the line below.
    if (!backlog.tryEnter()) {
      try {
        await backlog.wait('transaction', admitted, undefined, undefined);
      } catch (error) {
        this.#transactions--;
        throw error;
      }
    }
    // One transaction at a time from this store; the writer makes others wait too.
    const previous = this.#txQueue;
    let release!: () => void;
    this.#txQueue = new Promise<void>((resolve) => { release = resolve; });
    const state: TxState = { id: this.#nextTx++, open: false };
    let timer: NodeJS.Timeout | undefined;
    try {
      await previous;
      if (this.#closed) throw closedError();
      await writer.begin(state.id, timeoutMs);
      state.open = true;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FlowstoreError('FLOWSTORE_TX_TIMEOUT', `transaction rolled back after ${timeoutMs} ms`, { details: { timeoutMs } })), timeoutMs);
      });
      const committed: (() => void)[] = [];
      const tx = makeTx(new TxInvoker(writer, state), (callback) => committed.push(callback));
      let result: T;
      try {
        result = await Promise.race([currentTx.run(state, () => Promise.resolve().then(() => fn(tx))), timedOut]);
      } catch (error) {
        state.open = false;
        await writer.end(state.id, false).catch(() => {});
        throw error;
      }
      state.open = false;
      await writer.end(state.id, true);
      for (const callback of committed) callback();
      return result;
    } finally {
      this.#transactions--;
      state.open = false;
      clearTimeout(timer);
      backlog.leave();
      release();
    }
  }

  async metricsSnapshot(): Promise<MetricsSnapshot> {
    const walBytes = await this.#walBytes();
    const { reads, writes, transactions } = this.#backlogs;
    return this.metrics.snapshot((this.#writer?.queued ?? 0) + this.#readers.queued, walBytes, {
      reads: reads.snapshot(), writes: writes.snapshot(), transactions: transactions.snapshot(),
    });
  }

  /** Idempotent: drains every accepted operation, then stops the threads. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= (async () => {
      await this.#txQueue;
      clearTimeout(this.#companionTimer);
      // Both before the writer's own close (SQLite's last checkpoint, which truncates the WAL), and side by side.
      await Promise.all([this.#readers.close(), this.#companion?.stop()]);
      await this.#writer?.close(this.options.closeTimeoutMs);
      this.logger.debug('flowstore closed');
    })();
    return this.#closing;
  }

  /** Threads, for tests that kill them to prove nothing is lost. */
  get internals(): { writer: WriterClient | undefined; readers: ReaderClient; companion: Companion | undefined } {
    return { writer: this.#writer, readers: this.#readers, companion: this.#companion };
  }
}

/** Routes every operation of one transaction, reads included, to the writer's open transaction. */
class TxInvoker implements Invoker {
  readonly #writer: WriterClient;
  readonly #state: TxState;

  constructor(writer: WriterClient, state: TxState) {
    this.#writer = writer;
    this.#state = state;
  }

  invoke<Z extends z.ZodType, O>(op: Op<any, Z, O>, input: z.input<Z>): Promise<O> {
    if (!this.#state.open) return Promise.reject(new FlowstoreError('FLOWSTORE_CLOSED', `${op.name}: the transaction has ended`));
    if (op.transactional === false) {
      return Promise.reject(new FlowstoreError('FLOWSTORE_CONFLICT', `${op.name} cannot run inside a transaction`, { details: { op: op.name } }));
    }
    try {
      return this.#writer.submitInTx(this.#state.id, op, input, validate(op, input)) as Promise<O>;
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
