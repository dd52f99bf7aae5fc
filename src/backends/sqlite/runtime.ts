/**
 * A SQLite worker's side of the engine: its one connection and every domain's
 * handlers on it.
 */
import type { DatabaseSync } from 'node:sqlite';
import { Codec } from '../../codec.ts';
import { Handlers } from '../../engine/handlers.ts';
import { openConnection } from './connection.ts';
import { SQLITE_ERRORS } from './errors.ts';
import type { RetryStats } from './retry.ts';
import type { SqliteConfig } from './settings.ts';

export class Runtime {
  readonly db: DatabaseSync;
  readonly codec: Codec;
  readonly writable: boolean;
  readonly stats: RetryStats = { busyRetries: 0 };
  readonly config: SqliteConfig;
  #handlers: Handlers | undefined;

  constructor(config: SqliteConfig, writable: boolean) {
    this.config = config;
    this.writable = writable;
    this.db = openConnection(config, !writable);
    this.codec = new Codec(config.compression);
  }

  /** The connection's handlers, which prepare each domain's statements when it is first used; the schema must exist (the writer has migrated). */
  prepare(): void {
    this.#handlers = new Handlers('sqlite', this.db, this.codec, this.writable, SQLITE_ERRORS);
  }

  get handlers(): Handlers {
    return this.#handlers!;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
