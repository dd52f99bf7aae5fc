/** What every worker is started with (structured-clonable: it travels as workerData). */
import type { CompressionSettings } from '../codec.ts';
import type { PgSettings } from '../backends/postgres/connection.ts';
import type { BackendName } from './op.ts';

export interface WorkerConfig {
  readonly backend: BackendName;
  /** The server, for the PostgreSQL backend. */
  readonly postgres?: PgSettings;
  /** A file path, a `file:/name?vfs=memdb` URI private to one store (shared by its threads), or the server's URL. */
  readonly filename: string;
  readonly memory: boolean;
  readonly durability: 'normal' | 'full';
  readonly busyTimeoutMs: number;
  readonly compression: CompressionSettings | false;
  /** The WAL file is truncated to this size once a checkpoint has copied it all back (SQLite's journal_size_limit). */
  readonly walSizeLimitBytes: number;
  /** Nice steps the reader threads take below the thread that opened the store (Linux only). */
  readonly readerNiceness: number;
  /** Where the migration files are; resolved on the main thread. */
  readonly migrationsDir: string;
}
