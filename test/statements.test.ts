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
import { loadAllDomains } from '../src/domains/index.ts';
import { loadMigrations, migrationsDir } from '../src/engine/migrate.ts';
import { migrate } from '../src/backends/sqlite/migrate.ts';

const isLeaf = (value: unknown) => typeof value !== 'object' || value === null || typeof (value as { run?: unknown }).run === 'function';

/**
 * The same names at every level; a name whose value is `undefined` on one backend is what
 * its contract declares only one backend has (SQLite's file copies).
 */
function assertSameShape(a: unknown, b: unknown, path: string): void {
  if (a === undefined || b === undefined || (isLeaf(a) && isLeaf(b))) return;
  assert.ok(!isLeaf(a) && !isLeaf(b), `${path}: a statement on one backend, a group on the other`);
  const keys = (v: unknown) => Object.keys(v as object).sort();
  assert.deepEqual(keys(a), keys(b), path);
  for (const key of keys(a)) assertSameShape((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
}

test('each domain prepares the same statements on SQLite and on PostgreSQL', async () => {
  const db = new DatabaseSync(':memory:');
  await migrate(db, loadMigrations(migrationsDir('sqlite')), 1000, { busyRetries: 0 });
  // Preparing a PostgreSQL statement sends nothing: the client is never connected.
  const conn = new PgConnection(new pg.Client());
  for (const domain of await loadAllDomains()) {
    assert.ok(domain.prepare.postgres, `${domain.name} has PostgreSQL statements`);
    assertSameShape(domain.prepare.postgres(conn), domain.prepare.sqlite(db), domain.name);
  }
  db.close();
});

test('both backends have the same migrations, by number and name', () => {
  const names = (dir: string) => loadMigrations(dir).map((m) => `${m.version}_${m.name}`);
  assert.deepEqual(names(migrationsDir('postgres')), names(migrationsDir('sqlite')));
});
