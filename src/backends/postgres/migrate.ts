/**
 * PostgreSQL migrations: the same numbered, checksummed files as SQLite's (their own
 * dialect, in migrations/postgres), applied each in its own transaction. A session
 * advisory lock makes ten hosts that open one empty database at once apply them once:
 * the first takes the lock and migrates, the others wait, then find nothing to do.
 */
import type pg from 'pg';
import { FlowstoreError, isFlowstoreError } from '../../errors.ts';
import { loadMigrations, migrationText, upToDate, verifyAllApplied, verifyMigrations, type AppliedRow, type Migration } from '../../engine/migrate.ts';
import type { WorkerConfig } from '../../engine/config.ts';
import { connectWithRetry, quoteIdentifier, type PgSettings } from './connection.ts';

export async function migratePostgres(client: pg.Client, schema: string, migrations: readonly Migration[]): Promise<number[]> {
  // An existing store, up to date: one round trip, no lock (the usual open). Migrations are
  // only ever added under the lock, so a schema that has them all needs no more.
  if (migrations.length > 0) {
    const recorded = await client.query(`SELECT version, name, checksum FROM ${quoteIdentifier(schema)}.flowstore_migrations ORDER BY version`)
      .then((result) => result.rows as AppliedRow[], () => undefined);
    if (recorded && upToDate(recorded, migrations)) return [];
  }
  // One lock per schema: two stores in different schemas of one database migrate side by side.
  await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`flowstore:${schema}`]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS flowstore_migrations (
      version integer PRIMARY KEY, name text NOT NULL, description text NOT NULL,
      checksum text NOT NULL, applied_at timestamptz NOT NULL)`);
    const rows = (await client.query('SELECT version, name, checksum FROM flowstore_migrations ORDER BY version')).rows as AppliedRow[];
    verifyMigrations(rows, migrations);
    const applied: number[] = [];
    for (const migration of migrations) {
      if (rows.some((row) => row.version === migration.version)) continue;
      await client.query('BEGIN');
      try {
        const { sql, description } = migrationText(migration);
        await client.query(sql);
        await client.query('INSERT INTO flowstore_migrations (version, name, description, checksum, applied_at) VALUES ($1, $2, $3, $4, now())',
          [migration.version, migration.name, description, migration.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        if (isFlowstoreError(error)) throw error;
        throw new FlowstoreError('FLOWSTORE_MIGRATION', `migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`flowstore:${schema}`]).catch(() => {});
  }
}

/** A read-only store's check: the schema holds every migration this flowstore knows, and nothing else. */
export async function verifyPostgresReadOnly(config: WorkerConfig<PgSettings>): Promise<void> {
  const client = await connectWithRetry(config.settings, { pipeline: false, lockTimeoutMs: config.busyTimeoutMs });
  try {
    let rows: AppliedRow[];
    try {
      rows = (await client.query('SELECT version, name, checksum FROM flowstore_migrations ORDER BY version')).rows as AppliedRow[];
    } catch (cause) {
      throw new FlowstoreError('FLOWSTORE_MIGRATION', `readOnly: schema ${config.settings.schema} has no flowstore migrations to verify`, { details: { schema: config.settings.schema }, cause });
    }
    verifyAllApplied(rows, loadMigrations(config.migrationsDir));
  } finally {
    await client.end().catch(() => {});
  }
}
