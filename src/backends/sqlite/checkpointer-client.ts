/** Starts and stops the checkpointer thread of a file store (an in-memory store has no WAL). */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Companion } from '../../engine/backend.ts';
import { THREAD_EXEC_ARGV, workerEntry } from '../../engine/worker-files.ts';
import type { SqliteConfig } from './settings.ts';

const CHECKPOINTER_FILE = workerEntry('checkpointer');

export class CheckpointerClient implements Companion {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  #stopping = false;

  constructor(config: SqliteConfig, logger: Logger) {
    this.#worker = new Worker(CHECKPOINTER_FILE, { workerData: config, name: 'flowstore-checkpointer', execArgv: THREAD_EXEC_ARGV });
    // It must not keep the process alive by itself: the store's other threads decide that.
    this.#worker.unref();
    this.#worker.on('error', (error) => logger.warn({ err: error }, 'flowstore checkpointer failed; the writer checkpoints alone'));
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        if (!this.#stopping) logger.warn({ code }, 'flowstore checkpointer exited; the writer checkpoints alone');
        resolve();
      });
    });
  }

  /** The thread, for tests that kill it. */
  get worker(): Worker {
    return this.#worker;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#worker.postMessage('stop');
    await this.#exited;
  }
}
