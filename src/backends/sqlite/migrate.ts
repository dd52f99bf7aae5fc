/**
 * SQLite's migrations: each file applied in a `BEGIN IMMEDIATE` transaction of its own on
 * the writer's connection, after the records are read again under the write lock, so that
 * two processes that open one new file at once apply each migration once.
 */
import type { DatabaseSync } from 'node:sqlite';
import { toSqlTime } from '../../codec.ts';
import { FlowstoreError } from '../../errors.ts';
import { migrationText, upToDate, verifyMigrations, type AppliedRow, type Migration } from '../../engine/migrate.ts';
import { retryBusy, type RetryStats } from './retry.ts';

/** Applies what is missing; returns the versions applied now. */
export async function migrate(db: DatabaseSync, migrations: Migration[], busyTimeoutMs: number, stats: RetryStats): Promise<number[]> {
  // An existing store, up to date: verified by one read, without the write lock once per
  // migration (which another process's long write would make the open wait for).
  const recorded = await retryBusy(() => appliedRows(db), busyTimeoutMs, stats);
  if (recorded && migrations.length > 0 && upToDate(recorded, migrations)) return [];
  await retryBusy(() => db.exec(`CREATE TABLE IF NOT EXISTS flowstore_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
    checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`), busyTimeoutMs, stats);
  const applied: number[] = [];
  for (const migration of migrations) {
    // Another process may be migrating the same file: take the write lock, then look again.
    await retryBusy(() => db.exec('BEGIN IMMEDIATE'), busyTimeoutMs, stats);
    try {
      const rows = db.prepare('SELECT version, name, checksum FROM flowstore_migrations ORDER BY version').all() as unknown as AppliedRow[];
      verifyMigrations(rows, migrations);
      if (!rows.some((row) => row.version === migration.version)) {
        const { sql, description } = migrationText(migration);
        db.exec(sql);
        db.prepare('INSERT INTO flowstore_migrations (version, name, description, checksum, applied_at) VALUES (?, ?, ?, ?, ?)')
          .run(migration.version, migration.name, description, migration.checksum, toSqlTime(new Date()));
        applied.push(migration.version);
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      if (error instanceof FlowstoreError) throw error;
      throw new FlowstoreError('FLOWSTORE_MIGRATION', `migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`, { cause: error });
    }
  }
  if (migrations.length === 0) verifyMigrations(db.prepare('SELECT version, name, checksum FROM flowstore_migrations').all() as unknown as AppliedRow[], migrations);
  return applied;
}

/** The migrations recorded in the file, or undefined when it has no record of any (a new file). */
function appliedRows(db: DatabaseSync): AppliedRow[] | undefined {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'flowstore_migrations'").get();
  if (!table) return undefined;
  return db.prepare('SELECT version, name, checksum FROM flowstore_migrations ORDER BY version').all() as unknown as AppliedRow[];
}
