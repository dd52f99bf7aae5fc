import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test, type TestContext } from 'node:test';
import { openStore } from '../src/index.ts';
import { migrate } from '../src/backends/sqlite/migrate.ts';
import { CHECKSUMS_FILE, loadMigrations, migrationsDir, migrationText } from '../src/engine/migrate.ts';
import type { FlowstoreError } from '../src/errors.ts';
import { checksumsOf } from '../scripts/migration-checksums.ts';
import { cleanup, tempDir } from './helpers.ts';

const state = { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: { kept: true }, lastStepOutput: null, status: 'running' as const };

test('every migration is recorded with its name, checksum and time, in order', async (t) => {
  const path = join(tempDir(t), 'm.db');
  const store = await openStore({ path });
  await store.close();
  const db = new DatabaseSync(path, { readOnly: true });
  cleanup(t, () => db.close());
  const rows = db.prepare('SELECT version, name, checksum, applied_at FROM flowstore_migrations ORDER BY version').all();
  const files = loadMigrations(migrationsDir('sqlite'));
  assert.deepEqual(rows.map((r) => [r.version, r.name, r.checksum]), files.map((m) => [m.version, m.name, m.checksum]));
  for (const row of rows) assert.match(String(row.applied_at), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
});

test('a file made by an older flowstore (only the first migration) is upgraded in place, nothing lost', async (t) => {
  const path = join(tempDir(t), 'old.db');
  // What flowstore's first release wrote: migration 1 only, with one run in it.
  const first = loadMigrations(migrationsDir('sqlite'))[0]!;
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`CREATE TABLE flowstore_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const { sql, description } = migrationText(first);
  db.exec(sql);
  db.prepare('INSERT INTO flowstore_migrations VALUES (?, ?, ?, ?, ?)').run(first.version, first.name, description, createHash('sha256').update(readFileSync(join(migrationsDir('sqlite'), `0001_${first.name}.sql`), 'utf8')).digest('hex'), '2025-01-01 00:00:00');
  db.prepare(`INSERT INTO workflow_state (run_id, pipeline_id, pipeline_name, pipeline_version, pipeline_context, status, created_at, updated_at)
    VALUES ('old_run', 'p', 'P', '1', '{"kept":true}', 'running', '2025-01-01 00:00:00', '2025-01-01 00:00:00')`).run();
  db.close();

  const store = await openStore({ path });
  cleanup(t, () => store.close());
  assert.deepEqual((await store.runs.loadState('old_run'))?.pipelineContext, { kept: true });
  const applied = await store.query('SELECT version FROM flowstore_migrations ORDER BY version');
  assert.deepEqual(applied.map((r) => r.version), loadMigrations(migrationsDir('sqlite')).map((m) => m.version));
  await store.runs.saveState('new_run', state);
});

test('an edited migration refuses to open with FLOWSTORE_MIGRATION', async (t) => {
  const path = join(tempDir(t), 'edited.db');
  const store = await openStore({ path });
  await store.runs.saveState('r', state);
  await store.close();
  const db = new DatabaseSync(path);
  db.prepare("UPDATE flowstore_migrations SET checksum = 'f00d' WHERE version = 1").run();
  db.close();
  await assert.rejects(openStore({ path }), { code: 'FLOWSTORE_MIGRATION' });
});

test('a migration this flowstore does not know (a newer release made the file) refuses to open', async (t) => {
  const path = join(tempDir(t), 'newer.db');
  await (await openStore({ path })).close();
  const db = new DatabaseSync(path);
  db.prepare("INSERT INTO flowstore_migrations VALUES (9999, 'future', 'from a newer flowstore', 'abc', '2030-01-01 00:00:00')").run();
  db.close();
  await assert.rejects(openStore({ path }), { code: 'FLOWSTORE_MIGRATION' });
});

test('a migration that comes before already-applied ones refuses to open', async (t) => {
  const path = join(tempDir(t), 'reordered.db');
  await (await openStore({ path })).close();
  const db = new DatabaseSync(path);
  db.prepare('DELETE FROM flowstore_migrations WHERE version = 1').run();
  db.close();
  await assert.rejects(openStore({ path }), { code: 'FLOWSTORE_MIGRATION' });
});

test("each backend's checksums.json lists every migration file with the sha256 of its text", () => {
  for (const backend of ['sqlite', 'postgres'] as const) {
    const dir = migrationsDir(backend);
    const listed = JSON.parse(readFileSync(join(dir, CHECKSUMS_FILE), 'utf8')) as unknown;
    assert.deepEqual(listed, checksumsOf(dir), `${backend}: run node scripts/migration-checksums.ts`);
  }
});

/** A copy of SQLite's migrations and their list, to break. */
function migrationsCopy(t: TestContext): string {
  const dir = join(tempDir(t), 'migrations');
  cpSync(migrationsDir('sqlite'), dir, { recursive: true });
  return dir;
}

test('migration files that are not those checksums.json lists, or no list, refuse with FLOWSTORE_MIGRATION', (t) => {
  const extra = migrationsCopy(t);
  writeFileSync(join(extra, '0010_extra.sql'), 'CREATE TABLE extra (id INTEGER);\n');
  assert.throws(() => loadMigrations(extra), (error: FlowstoreError) => error.code === 'FLOWSTORE_MIGRATION' && error.message.includes('0010_extra.sql'));
  const unlisted = migrationsCopy(t);
  rmSync(join(unlisted, CHECKSUMS_FILE));
  assert.throws(() => loadMigrations(unlisted), { code: 'FLOWSTORE_MIGRATION' });
  const garbled = migrationsCopy(t);
  writeFileSync(join(garbled, CHECKSUMS_FILE), '["0001_runs.sql"]');
  assert.throws(() => loadMigrations(garbled), (error: FlowstoreError) => error.code === 'FLOWSTORE_MIGRATION' && error.message.includes('not an object of file names'));
});

test('a migration whose file no longer has its listed checksum is refused as it is applied, the ones before it kept', async (t) => {
  const dir = migrationsCopy(t);
  const last = loadMigrations(dir).at(-1)!;
  writeFileSync(last.path, `${readFileSync(last.path, 'utf8')}\nCREATE TABLE edited (id INTEGER);\n`);
  const db = new DatabaseSync(':memory:');
  cleanup(t, () => db.close());
  await assert.rejects(migrate(db, loadMigrations(dir), 1000, { busyRetries: 0 }), (error: FlowstoreError) =>
    error.code === 'FLOWSTORE_MIGRATION' && (error.details as { version: number }).version === last.version);
  const versions = db.prepare('SELECT version FROM flowstore_migrations ORDER BY version').all().map((row) => row.version);
  assert.deepEqual(versions, loadMigrations(dir).slice(0, -1).map((m) => m.version));
  assert.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'edited'").get(), undefined);
});
