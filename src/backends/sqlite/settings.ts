/** What a SQLite store's threads are started with, beside what every store's are. */
import type { DatabaseSync } from 'node:sqlite';
import type { WorkerConfig } from '../../engine/config.ts';

export interface SqliteSettings {
  /** An absolute file path, or a `file:/name?vfs=memdb` URI private to one store (shared by its threads). */
  readonly filename: string;
  /** A memdb database: no WAL, no checkpointer, gone when the store closes. */
  readonly memory: boolean;
  /** The WAL file is truncated to this size once a checkpoint has copied it all back (SQLite's journal_size_limit). */
  readonly walSizeLimitBytes: number;
}

export type SqliteConfig = WorkerConfig<SqliteSettings>;

declare module '../../engine/op.ts' {
  /** A SQLite domain prepares its statements on the thread's node:sqlite connection. */
  interface Connections {
    sqlite: DatabaseSync;
  }
}
