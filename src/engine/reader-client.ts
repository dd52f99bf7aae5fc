/**
 * The reader pool: Piscina threads, each with one read-only connection. Reads issued
 * in one turn are spread over the free threads, one task per thread.
 */
import { Piscina } from 'piscina';
import { FlowstoreError, fromErrorData, type ErrorData } from '../errors.ts';
import { Batcher, settle, type Pending } from './batcher.ts';
import type { WorkerConfig } from './config.ts';
import type { Metrics } from './metrics.ts';
import type { ReadTask, ReadTaskResult } from './protocol.ts';
import { READER_FILE } from './worker-files.ts';

export class ReaderClient {
  readonly #pool: Piscina<ReadTask, ReadTaskResult>;
  readonly #batcher: Batcher;
  readonly #metrics: Metrics;

  constructor(config: WorkerConfig, threads: number, metrics: Metrics) {
    this.#metrics = metrics;
    this.#pool = new Piscina({
      filename: READER_FILE,
      workerData: config,
      minThreads: threads,
      maxThreads: threads,
      // Readers hold a connection and prepared statements: keep them instead of re-opening.
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    this.#batcher = new Batcher(threads, true, (ops) => this.#run(ops));
  }

  get queued(): number {
    return this.#batcher.queued + this.#batcher.inFlight;
  }

  /** The pool's threads, for tests that kill one. */
  get threads(): readonly import('node:worker_threads').Worker[] {
    return this.#pool.threads;
  }

  submit(name: string, input: unknown): Promise<unknown> {
    return this.#batcher.submit(name, input);
  }

  async close(): Promise<void> {
    await this.#batcher.whenIdle();
    await this.#pool.destroy();
  }

  async #run(ops: Pending[]): Promise<void> {
    let output: ReadTaskResult;
    try {
      output = await this.#pool.run({ ops: ops.map(({ name, input }) => ({ name, input })) });
    } catch (cause) {
      const error = isCloneError(cause)
        ? new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `a value cannot be sent to a reader: ${(cause as Error).message}`, { cause })
        : new FlowstoreError('FLOWSTORE_WORKER_EXITED', 'a reader thread exited while running the read', { cause });
      ops.forEach((op) => op.reject(error));
      return;
    }
    this.#metrics.recordRead(ops.length, output.busyRetries);
    settle(ops, output.results, (error: ErrorData) => fromErrorData(error));
  }
}

function isCloneError(error: unknown): boolean {
  return error instanceof Error && error.name === 'DataCloneError';
}
