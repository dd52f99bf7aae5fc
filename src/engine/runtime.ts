/**
 * A SQLite worker's side of the engine: its one connection and every domain's
 * handlers on it.
 */
import type { DatabaseSync } from 'node:sqlite';
import { Codec } from '../codec.ts';
import type { WorkerConfig } from './config.ts';
import { openConnection } from './connection.ts';
import { Handlers } from './handlers.ts';
import type { RetryStats } from './retry.ts';

export class Runtime {
  readonly db: DatabaseSync;
  readonly codec: Codec;
  readonly writable: boolean;
  readonly stats: RetryStats = { busyRetries: 0 };
  readonly config: WorkerConfig;
  #handlers: Handlers | undefined;

  constructor(config: WorkerConfig, writable: boolean) {
    this.config = config;
    this.writable = writable;
    this.db = openConnection(config, !writable);
    this.codec = new Codec(config.compression);
  }

  /** Prepares every domain's statements; the schema must exist (the writer has migrated). */
  prepare(): void {
    this.#handlers = new Handlers('sqlite', this.db, this.codec, this.writable);
  }

  get handlers(): Handlers {
    return this.#handlers!;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
