/**
 * A writer thread started as `openStore` is called, before the store's options are
 * checked: Node takes tens of milliseconds to start a thread, and the caller's thread
 * spends about as long loading the options' schema. The thread waits for its
 * configuration ({@link ToEarlyWriter}); a store that turns out to need none (bad options, a
 * read-only store) stops it. Imports nothing but `node:worker_threads`, so that
 * src/store.ts can start one without loading the engine.
 *
 * @example
 * ```ts
 * const early = EarlyWriter.start();
 * early.preload(backend.threads);   // once the backend is known, before the options are checked
 * try { config = parse(options); } catch (error) { early.discard(); throw error; }
 * const worker = early.take();   // undefined when it failed to start: spawn another
 * ```
 */
import { Worker } from 'node:worker_threads';
import type { BackendThreads } from './backend.ts';
import type { WorkerConfig } from './config.ts';
import { THREAD_EXEC_ARGV, WRITER_FILE } from './worker-files.ts';

/** What an early writer gets: first, perhaps, which backend its store is likely on; then where and how its store lives. */
export type ToEarlyWriter = { readonly t: 'preload'; readonly threads: string } | { readonly t: 'start'; readonly config: WorkerConfig };

export class EarlyWriter {
  readonly #worker: Worker;
  #failed = false;
  #taken = false;

  private constructor() {
    this.#worker = new Worker(WRITER_FILE, { workerData: null, name: 'flowstore-writer', execArgv: THREAD_EXEC_ARGV });
    // Until a store takes it, a thread that fails to start is only noted: the store then starts another, which reports.
    this.#worker.on('error', () => { this.#failed = true; });
    this.#worker.once('exit', () => { this.#failed = true; });
  }

  static start(): EarlyWriter {
    return new EarlyWriter();
  }

  /**
   * Has the thread load the writer of the backend whose {@link BackendThreads} module is
   * `threads` (opening nothing) while the caller's thread checks the options: the store is
   * most likely there. A thread that turns out to be meant for another backend loads that one
   * as well.
   */
  preload(threads: string): void {
    if (!this.#taken) this.#worker.postMessage({ t: 'preload', threads } satisfies ToEarlyWriter);
  }

  /** The thread, sent its configuration; undefined when it already failed (or was taken, or discarded). */
  take(config: WorkerConfig): Worker | undefined {
    if (this.#taken) return undefined;
    this.#taken = true;
    if (this.#failed) {
      void this.#worker.terminate();
      return undefined;
    }
    this.#worker.postMessage({ t: 'start', config } satisfies ToEarlyWriter);
    return this.#worker;
  }

  /** Stops the thread, when no store will take it. */
  discard(): void {
    if (this.#taken) return;
    this.#taken = true;
    void this.#worker.terminate();
  }
}
