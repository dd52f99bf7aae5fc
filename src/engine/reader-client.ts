/**
 * The reader pool: Piscina threads, each with one read-only connection. Reads issued
 * in one turn are spread over the free slots, one task per slot, two slots per thread.
 */
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import { FlowstoreError } from '../errors.ts';
import type { Backlog } from './backlog.ts';
import { readerBalancer } from './balancer.ts';
import { Batcher, settle, type Pending } from './batcher.ts';
import type { WorkerConfig } from './config.ts';
import type { Metrics } from './metrics.ts';
import type { Op } from './op.ts';
import { READER_READY, type ReaderReady, type ReadTask, type ReadTaskResult } from './protocol.ts';
import { READER_FILE, THREAD_EXEC_ARGV } from './worker-files.ts';

/**
 * Batches in flight per reader thread. With one, a reader answers, then sleeps while the
 * main thread settles the batch and its callers issue the next, and the two take turns
 * instead of working at once; with two, the next batch is waiting when one ends.
 */
const PER_READER = 2;

export class ReaderClient {
  readonly #config: WorkerConfig;
  readonly #threads: number;
  readonly #batcher: Batcher;
  readonly #metrics: Metrics;
  readonly #logger: Logger;
  /** Fails a batch in flight: the pool lost a thread that was starting, and its tasks would wait forever. */
  readonly #running = new Set<(reason: unknown) => void>();
  #pool: Piscina<ReadTask, ReadTaskResult>;
  #broken = false;
  /**
   * The threads that said they are ready, by threadId: the only ones given reads (see
   * readerBalancer). Until the first does, reads go to {@link #early} when it takes them.
   */
  readonly #readyThreads = new Set<number>();
  #early: ((ops: Pending[]) => Promise<void> | undefined) | undefined;

  constructor(config: WorkerConfig, threads: number, metrics: Metrics, logger: Logger, backlog: Backlog) {
    this.#config = config;
    this.#threads = threads;
    this.#metrics = metrics;
    this.#logger = logger;
    this.#pool = this.#createPool();
    this.#batcher = new Batcher(threads * PER_READER, 1, (ops) => this.#run(ops), backlog);
  }

  get queued(): number {
    return this.#batcher.queued + this.#batcher.inFlight;
  }

  /** The pool's threads, for tests that kill one. */
  get threads(): readonly import('node:worker_threads').Worker[] {
    return this.#pool.threads;
  }

  /** Whether a reader thread has said it is ready (until then the writer serves reads, see {@link serveEarlyReadsWith}). */
  get ready(): boolean {
    return this.#readyThreads.size > 0;
  }

  /** Tasks the pool's threads have finished, for tests. */
  get completed(): number {
    return this.#pool.completed;
  }

  /** Tasks the pool holds that no thread has taken yet, for tests that kill one while it runs tasks. */
  get undispatched(): number {
    return this.#pool.queueSize;
  }

  /** A read, validated into `parsed`; past the mark it waits its turn holding `input` (see Batcher.submit). */
  submit(op: Op, input: unknown, parsed: unknown): Promise<unknown> {
    return this.#batcher.submit(op, input, parsed);
  }

  /**
   * Who serves reads until the first reader thread is ready (the writer, between its
   * batches): a store's first reads need not wait for a thread to start. `serve` returns
   * undefined for reads it will not take now; those wait for the pool.
   */
  serveEarlyReadsWith(serve: (ops: Pending[]) => Promise<void> | undefined): void {
    if (!this.ready) this.#early = serve;
  }

  async close(): Promise<void> {
    await this.#batcher.whenIdle();
    await this.#pool.destroy();
  }

  #createPool(): Piscina<ReadTask, ReadTaskResult> {
    const pool = new Piscina<ReadTask, ReadTaskResult>({
      filename: READER_FILE,
      execArgv: THREAD_EXEC_ARGV,
      workerData: this.#config,
      // One thread starts with the store; the others when reads overlap (Piscina starts one
      // when every thread is full). A first read then waits for one thread to start, not for
      // all of them to start at once on a machine with fewer cores than threads.
      minThreads: 1,
      maxThreads: this.#threads,
      // Readers hold a connection and prepared statements: keep them instead of re-opening.
      idleTimeout: Number.POSITIVE_INFINITY,
      // The threads run their tasks one after another (reader-core): this only lets the next one wait there.
      concurrentTasksPerWorker: PER_READER,
      loadBalancer: readerBalancer(PER_READER, (threadId) => this.#readyThreads.has(threadId)),
    });
    // A thread that fails outside any task (while starting) is reported here. Piscina then
    // stops starting threads, and reads would wait for one forever: fail them instead, and
    // start a fresh pool for the next read. Without a listener the error would be thrown
    // as an uncaught error in the caller's process.
    pool.on('message', (message: unknown) => {
      if ((message as ReaderReady | null)?.t !== READER_READY) return;
      this.#readyThreads.add((message as ReaderReady).threadId);
      this.#early = undefined;
    });
    pool.on('error', (error: unknown) => {
      this.#logger.error({ err: error }, 'flowstore reader thread failed to start');
      if (pool !== this.#pool) return;
      this.#broken = true;
      for (const fail of this.#running) fail(error);
    });
    return pool;
  }

  async #run(ops: Pending[]): Promise<void> {
    const served = this.#early?.(ops);
    if (served) return served;
    if (this.#broken) {
      const old = this.#pool;
      this.#pool = this.#createPool();
      this.#broken = false;
      void old.destroy().catch(() => {});
    }
    // Not an AbortSignal: Piscina gives a task that has one a thread to itself, and each
    // thread is to hold more than one batch.
    let fail!: (reason: unknown) => void;
    const failed = new Promise<never>((_, reject) => { fail = reject; });
    this.#running.add(fail);
    let output: ReadTaskResult;
    try {
      // A Pending clones as its name and input: its other fields are private.
      output = await Promise.race([this.#pool.run({ ops }), failed]);
    } catch (cause) {
      const error = isCloneError(cause)
        ? new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `a value cannot be sent to a reader: ${(cause as Error).message}`, { cause })
        : new FlowstoreError('FLOWSTORE_WORKER_EXITED', 'a reader thread exited, or could not start, while running the read', { cause });
      ops.forEach((op) => op.reject(error));
      return;
    } finally {
      this.#running.delete(fail);
    }
    this.#metrics.recordRead(ops.length, output.busyRetries);
    const settling = settle(ops, output.outcome);
    if (settling) await settling;
  }
}

function isCloneError(error: unknown): boolean {
  return error instanceof Error && error.name === 'DataCloneError';
}
