/**
 * Ordered `NNNN_name.sql` files, each applied in its own transaction and recorded
 * with its sha256; an edited, missing or reordered migration refuses to open the store.
 * Only the writer migrates, before the store says it is ready. Each backend has its own
 * files, numbered alike, in `migrations/<backend>/`; how it applies them is its own.
 *
 * Beside the files, `checksums.json` lists each with its sha256 (written by
 * `node scripts/migration-checksums.ts`; a test keeps it true). Opening a store compares its
 * records with that list: nothing reads or hashes the migrations, nor loads node:crypto,
 * which took 5-8 ms of a writer thread's start on a slow day. A migration's file is read
 * when it is applied, and refused if it no longer has its listed checksum.
 */
import type * as Crypto from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowstoreError } from '../errors.ts';
import type { BackendName } from './op.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The sha256 of its file, as `checksums.json` lists it. */
  readonly checksum: string;
  /** Its file, read when it is applied ({@link migrationText}). */
  readonly path: string;
}

/** The file beside the migrations that lists each one's checksum. */
export const CHECKSUMS_FILE = 'checksums.json';

/** The folder of a backend's migration files. */
export function migrationsDir(backend: BackendName): string {
  return fileURLToPath(new URL(`../../migrations/${backend}/`, import.meta.url));
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The sha256 a migration is recorded with, of its file's text. */
export function migrationChecksum(sql: string): string {
  // Loaded here, not with the module: only applying a migration (or writing the list) hashes.
  const { createHash } = process.getBuiltinModule('node:crypto') as typeof Crypto;
  return createHash('sha256').update(sql).digest('hex');
}

/** The migrations in `dir`, in order, with their checksums as its `checksums.json` lists them; the files themselves are not read. */
export function loadMigrations(dir: string): Migration[] {
  const checksums = readChecksums(dir);
  const files = readdirSync(dir).filter((file) => file.endsWith('.sql')).sort();
  const listed = Object.keys(checksums).sort();
  if (files.join() !== listed.join()) {
    throw new FlowstoreError('FLOWSTORE_MIGRATION', `the migration files in ${dir} are not those its ${CHECKSUMS_FILE} lists (files: ${files.join(', ')}; listed: ${listed.join(', ')})`);
  }
  const migrations = files
    .map((file): Migration => {
      const match = FILE_PATTERN.exec(file);
      if (!match) throw new FlowstoreError('FLOWSTORE_MIGRATION', `migration file name is not NNNN_name.sql: ${file}`);
      return { version: Number(match[1]), name: match[2]!, checksum: checksums[file]!, path: join(dir, file) };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]!.version === m.version) throw new FlowstoreError('FLOWSTORE_MIGRATION', `two migrations have version ${m.version}`);
  });
  return migrations;
}

function readChecksums(dir: string): Record<string, string> {
  const file = join(dir, CHECKSUMS_FILE);
  let checksums: unknown;
  try {
    checksums = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new FlowstoreError('FLOWSTORE_MIGRATION', `cannot read the migrations' checksums from ${file}: ${(cause as Error).message}`, { cause });
  }
  if (typeof checksums !== 'object' || checksums === null || Array.isArray(checksums) || Object.values(checksums).some((sum) => typeof sum !== 'string')) {
    throw new FlowstoreError('FLOWSTORE_MIGRATION', `${file} is not an object of file names and checksums`);
  }
  return checksums as Record<string, string>;
}

/**
 * A migration's SQL, and the description on its first comment line, read to apply it.
 * Refuses a file whose text no longer has the checksum its list gives, which the store
 * would otherwise record for something else.
 */
export function migrationText(migration: Migration): { sql: string; description: string } {
  const sql = readFileSync(migration.path, 'utf8');
  if (migrationChecksum(sql) !== migration.checksum) {
    throw new FlowstoreError('FLOWSTORE_MIGRATION', `migration ${migration.version}_${migration.name} does not have the checksum ${CHECKSUMS_FILE} lists (edited without running scripts/migration-checksums.ts?)`, { details: { version: migration.version } });
  }
  return { sql, description: /^--\s*(.+)$/m.exec(sql)?.[1]?.trim() ?? migration.name };
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
