/**
 * A read-only SQLite store has no writer to migrate for it, and its readers prepare every
 * domain's statements, which needs the whole schema: so the file's migrations are checked
 * first, in one query on a read-only connection of its own, and a file it would have to
 * change is refused. This is the one statement that runs on the caller's thread, once, at open.
 */
import { statSync } from 'node:fs';
import { FlowstoreError } from '../../errors.ts';
import { loadMigrations, verifyAllApplied, type AppliedRow } from '../../engine/migrate.ts';
import { openConnection } from './connection.ts';
import { retryBusy } from './retry.ts';
import type { SqliteConfig } from './settings.ts';

export async function verifySqliteReadOnly(config: SqliteConfig): Promise<void> {
  const { filename } = config.settings;
  try {
    if (!statSync(filename).isFile()) throw new Error('not a file');
  } catch (cause) {
    throw new FlowstoreError('FLOWSTORE_NOT_FOUND', `readOnly: no database file at ${filename}`, { details: { path: filename }, cause });
  }
  const db = await retryBusy(() => openConnection(config, true), config.busyTimeoutMs, { busyRetries: 0 });
  try {
    const known = loadMigrations(config.migrationsDir);
    let rows: AppliedRow[];
    try {
      rows = db.prepare('SELECT version, name, checksum FROM flowstore_migrations ORDER BY version').all() as unknown as AppliedRow[];
    } catch (cause) {
      throw new FlowstoreError('FLOWSTORE_MIGRATION', `readOnly: ${filename} has no flowstore migrations to verify`, { details: { path: filename }, cause });
    }
    verifyAllApplied(rows, known);
  } finally {
    db.close();
  }
}
