/** What every worker is started with (structured-clonable: it travels as workerData). */
import type { CompressionSettings } from '../codec.ts';
import type { BackendName } from './op.ts';

/**
 * @typeParam S what only the backend needs, from its `settings()` (SQLite: the file;
 * PostgreSQL: the server).
 */
export interface WorkerConfig<S = unknown> {
  readonly backend: BackendName;
  /** The module the backend's threads load: its {@link BackendThreads}, as a file URL. */
  readonly threads: string;
  readonly durability: 'normal' | 'full';
  readonly busyTimeoutMs: number;
  readonly compression: CompressionSettings | false;
  /** Nice steps the reader threads take below the thread that opened the store (Linux only). */
  readonly readerNiceness: number;
  /** Where the backend's migration files are; resolved on the main thread. */
  readonly migrationsDir: string;
  readonly settings: S;
}
