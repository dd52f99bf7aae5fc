/**
 * Ordered `NNNN_name.sql` files, each applied in its own transaction and recorded
 * with its sha256; an edited, missing or reordered migration refuses to open the store.
 * Only the writer migrates, before the store says it is ready. Each backend has its own
 * files, numbered alike, in `migrations/<backend>/`; how it applies them is its own.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowstoreError } from '../errors.ts';
import type { BackendName } from './op.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly description: string;
  readonly checksum: string;
  readonly sql: string;
}

/** The folder of a backend's migration files. */
export function migrationsDir(backend: BackendName): string {
  return fileURLToPath(new URL(`../../migrations/${backend}/`, import.meta.url));
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

/**
 * True when `rows` record every one of `migrations`, unchanged: the store is up to date,
 * which one read of its records shows, with no lock taken. Throws as {@link verifyMigrations}.
 *
 * @example
 * ```ts
 * if (upToDate(readRecords(), migrations)) return [];   // the usual open of an existing store
 * ```
 */
export function upToDate(rows: readonly AppliedRow[], migrations: readonly Migration[]): boolean {
  verifyMigrations(rows, migrations);
  return migrations.every((m) => rows.some((row) => row.version === m.version));
}

/** For a store that may not migrate (read-only): every known migration must already be applied, unchanged. */
export function verifyAllApplied(rows: readonly AppliedRow[], migrations: readonly Migration[]): void {
  verifyMigrations(rows, migrations);
  const missing = migrations.find((m) => !rows.some((row) => row.version === m.version));
  if (missing) {
    throw new FlowstoreError('FLOWSTORE_MIGRATION', `readOnly: migration ${missing.version}_${missing.name} is not applied; open the store once for writing to upgrade it`, { details: { version: missing.version } });
  }
}
