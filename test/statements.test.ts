/**
 * Every domain has the same statements on every backend: its contract (statements.ts)
 * is the type both files return, and this test holds them to it at run time too, so a
 * statement added to one backend and not the other fails here even where the types let it.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import pg from 'pg';
import { PgConnection } from '../src/backends/postgres/connection.ts';
import { DOMAINS } from '../src/domains/index.ts';
import { loadMigrations, migrate } from '../src/engine/migrate.ts';
import { MIGRATIONS_DIRS } from '../src/engine/worker-files.ts';

/** The names a prepared statements object offers, as sorted dotted paths. */
function shape(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || typeof (value as { run?: unknown }).run === 'function') return [prefix];
  return Object.keys(value).sort().flatMap((key) => shape((value as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key));
}

test('each domain prepares the same statements on SQLite and on PostgreSQL', async () => {
  const db = new DatabaseSync(':memory:');
  await migrate(db, loadMigrations(MIGRATIONS_DIRS.sqlite), 1000, { busyRetries: 0 });
  // Preparing a PostgreSQL statement sends nothing: the client is never connected.
  const conn = new PgConnection(new pg.Client());
  for (const domain of DOMAINS) {
    assert.ok(domain.prepare.postgres, `${domain.name} has PostgreSQL statements`);
    assert.deepEqual(shape(domain.prepare.postgres(conn)), shape(domain.prepare.sqlite(db)), domain.name);
  }
  db.close();
});

test('both backends have the same migrations, by number and name', () => {
  const names = (dir: string) => loadMigrations(dir).map((m) => `${m.version}_${m.name}`);
  assert.deepEqual(names(MIGRATIONS_DIRS.postgres), names(MIGRATIONS_DIRS.sqlite));
});
