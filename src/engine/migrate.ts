/**
 * Ordered `NNNN_name.sql` files, each applied in its own transaction and recorded
 * with its sha256; an edited, missing or reordered migration refuses to open the store.
 * Only the writer migrates, before the store says it is ready.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { FlowstoreError } from '../errors.ts';
import { toSqlTime } from '../codec.ts';
import { retryBusy, type RetryStats } from './retry.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly description: string;
  readonly checksum: string;
  readonly sql: string;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file): Migration => {
      const match = FILE_PATTERN.exec(file);
      if (!match) throw new FlowstoreError('FLOWSTORE_MIGRATION', `migration file name is not NNNN_name.sql: ${file}`);
      const sql = readFileSync(join(dir, file), 'utf8');
      const description = /^--\s*(.+)$/m.exec(sql)?.[1]?.trim() ?? match[2]!;
      return { version: Number(match[1]), name: match[2]!, description, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]!.version === m.version) throw new FlowstoreError('FLOWSTORE_MIGRATION', `two migrations have version ${m.version}`);
  });
  return migrations;
}

export interface AppliedRow { version: number; name: string; checksum: string }

/** Applies what is missing; returns the versions applied now. */
export async function migrate(db: DatabaseSync, migrations: Migration[], busyTimeoutMs: number, stats: RetryStats): Promise<number[]> {
  db.exec(`CREATE TABLE IF NOT EXISTS flowstore_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
    checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied: number[] = [];
  for (const migration of migrations) {
    // Another process may be migrating the same file: take the write lock, then look again.
    await retryBusy(() => db.exec('BEGIN IMMEDIATE'), busyTimeoutMs, stats);
    try {
      const rows = db.prepare('SELECT version, name, checksum FROM flowstore_migrations ORDER BY version').all() as unknown as AppliedRow[];
      verifyMigrations(rows, migrations);
      if (!rows.some((row) => row.version === migration.version)) {
        db.exec(migration.sql);
        db.prepare('INSERT INTO flowstore_migrations (version, name, description, checksum, applied_at) VALUES (?, ?, ?, ?, ?)')
          .run(migration.version, migration.name, migration.description, migration.checksum, toSqlTime(new Date()));
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

/** Refuses a database whose recorded migrations are not a prefix of `migrations`, unchanged. */
export function verifyMigrations(rows: readonly AppliedRow[], migrations: readonly Migration[]): void {
  const newest = rows.reduce((max, row) => Math.max(max, row.version), 0);
  const inserted = migrations.find((m) => m.version < newest && !rows.some((row) => row.version === m.version));
  if (inserted) {
    throw new FlowstoreError('FLOWSTORE_MIGRATION', `migration ${inserted.version}_${inserted.name} comes before migrations already applied`, { details: { version: inserted.version } });
  }
  for (const row of rows) {
    const known = migrations.find((m) => m.version === row.version);
    if (!known) {
      throw new FlowstoreError('FLOWSTORE_MIGRATION', `the database has migration ${row.version}_${row.name}, which this flowstore does not know (a newer version made it?)`, { details: { version: row.version } });
    }
    if (known.name !== row.name || known.checksum !== row.checksum) {
      throw new FlowstoreError('FLOWSTORE_MIGRATION', `migration ${row.version}_${row.name} was changed after it was applied`, { details: { version: row.version } });
    }
  }
}
