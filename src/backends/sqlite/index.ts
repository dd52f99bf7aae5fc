/**
 * The SQLite backend: one file (or a memdb database private to the store) through
 * node:sqlite, a writer connection in WAL mode, read-only connections in the readers, and
 * a checkpointer thread that copies the WAL back beside the writer.
 *
 * @example
 * ```ts
 * const location = sqliteBackend.locate('./runs.db');   // { kind: 'file', target: './runs.db', … }
 * ```
 */
import type * as Crypto from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Backend } from '../../engine/backend.ts';
import { moduleBeside } from '../../engine/worker-files.ts';
import { CheckpointerClient } from './checkpointer-client.ts';
import { locateSqlite, SQLITE_FORMS } from './location.ts';
import type { SqliteSettings } from './settings.ts';

/**
 * A name no other memdb database of the process has. node:crypto is loaded here, by an
 * in-memory store, not with this module: ~10 ms of every caller's thread's start, before
 * the `flowstore` command can start its store's writer.
 */
function uniqueName(): string {
  const { randomUUID } = process.getBuiltinModule('node:crypto') as typeof Crypto;
  return randomUUID();
}

export const sqliteBackend: Backend<SqliteSettings, undefined> = {
  name: 'sqlite',
  forms: SQLITE_FORMS,
  locate: locateSqlite,
  settings: (location, options) => ({
    // A memdb name is private to this store but shared by its threads; plain :memory: would give each thread its own.
    // Absolute: threads started later (a replaced reader, the checkpointer) must not depend on the process's cwd then.
    filename: location.kind === 'memory' ? `file:/flowstore-${uniqueName()}?vfs=memdb` : resolve(location.target),
    memory: location.kind === 'memory',
    walSizeLimitBytes: options.walSizeLimitBytes,
  }),
  // Loaded when used: the caller's thread must not need node:sqlite before openStore has checked the runtime.
  verifyReadOnly: async (config) => (await import('./read-only.ts')).verifySqliteReadOnly(config),
  // A memdb database has no WAL to copy back.
  startCompanion: (config, logger) => (config.settings.memory ? undefined : new CheckpointerClient(config, logger)),
  walBytes: async (config) => (config.settings.memory ? 0 : stat(`${config.settings.filename}-wal`).then((s) => s.size, () => 0)),
  threads: moduleBeside(import.meta.url, './threads'),
};
