import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, test, type TestContext } from 'node:test';
import { openStore, type Store } from '../src/index.ts';
import { cleanup, tempDir } from './helpers.ts';

const RUN = { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: { a: 1 }, lastStepOutput: null, status: 'running' } as const;

/** A file store with a little in every domain, closed again (its WAL checkpointed away). */
async function writtenFile(t: TestContext): Promise<string> {
  const path = join(tempDir(t), 'ro.db');
  const store = await openStore({ path, readers: 1 });
  await store.runs.saveState('run-1', RUN);
  await store.dag.saveCacheDelta('dag-1', { a: { rows: 1 } });
  await store.agents.saveEvent({ sessionId: 's1', eventType: 'message', actorType: 'user', actorId: 'u', content: 'blue build deployed' });
  await store.close();
  return path;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

async function readOnlyStore(t: TestContext, path: string): Promise<Store> {
  const store = await openStore({ path, readOnly: true, readers: 1 });
  cleanup(t, () => store.close());
  return store;
}

describe('readOnly: true', () => {
  test('reads everything, writes nothing: file bytes and data_version unchanged, no WAL grows', async (t) => {
    const path = await writtenFile(t);
    const before = sha256(path);
    // data_version changes for a connection when any other connection commits to the file.
    const watcher = new DatabaseSync(path, { readOnly: true });
    cleanup(t, () => watcher.close());
    const version = () => (watcher.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
    const versionBefore = version();

    const store = await readOnlyStore(t, path);
    assert.equal(store.readOnly, true);
    assert.equal((await store.runs.loadState('run-1'))?.status, 'running');
    assert.equal((await store.runs.listWorkflows()).length, 1);
    assert.deepEqual(await store.dag.loadCache('dag-1'), { a: { rows: 1 } });
    assert.equal((await store.agents.searchEvents('blue')).length, 1);
    assert.deepEqual(await store.query('SELECT COUNT(*) AS n FROM workflow_state'), [{ n: 1 }]);
    assert.equal((await store.migrations()).length > 0, true);
    assert.equal((await store.metrics()).writes, 0);
    await store.close();

    assert.equal(version(), versionBefore);
    assert.equal(sha256(path), before);
    assert.equal(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0, 0);
  });

  test('every write, transaction and maintenance write rejects with FLOWSTORE_READ_ONLY', async (t) => {
    const path = await writtenFile(t);
    const before = sha256(path);
    const store = await readOnlyStore(t, path);
    await assert.rejects(store.runs.saveState('run-2', RUN), { code: 'FLOWSTORE_READ_ONLY' });
    await assert.rejects(store.runs.deleteState('run-1'), { code: 'FLOWSTORE_READ_ONLY' });
    await assert.rejects(store.dag.saveSnapshot('dag-1', new Uint8Array([1])), { code: 'FLOWSTORE_READ_ONLY' });
    await assert.rejects(store.agents.saveEvent({ sessionId: 's', eventType: 't', actorType: 'a', actorId: 'a', content: 'x' }), { code: 'FLOWSTORE_READ_ONLY' });
    await assert.rejects(store.aaow.createBudgetPool({ id: 'b', totalBudget: 1, usedBudget: 0, remainingBudget: 1, status: 'active', createdAt: new Date() }), { code: 'FLOWSTORE_READ_ONLY' });
    await assert.rejects(store.transaction(async () => 1), { code: 'FLOWSTORE_READ_ONLY' });
    await assert.rejects(store.vacuum(), { code: 'FLOWSTORE_READ_ONLY' });
    await assert.rejects(store.cleanup({ olderThanDays: 1 }), { code: 'FLOWSTORE_READ_ONLY' });
    await assert.rejects(store.query('DELETE FROM workflow_state'), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    assert.equal((await store.runs.loadState('run-1'))?.status, 'running');
    await store.close();
    assert.equal(sha256(path), before);
  });

  test('sees what another store commits to the file meanwhile', async (t) => {
    const path = await writtenFile(t);
    const writer = await openStore({ path, readers: 1 });
    cleanup(t, () => writer.close());
    const reader = await readOnlyStore(t, path);
    await writer.runs.saveState('run-2', RUN);
    assert.equal((await reader.runs.listWorkflows()).length, 2);
  });

  test('a missing file is FLOWSTORE_NOT_FOUND and is not created', async (t) => {
    const path = join(tempDir(t), 'absent.db');
    await assert.rejects(openStore({ path, readOnly: true }), { code: 'FLOWSTORE_NOT_FOUND' });
    assert.equal(existsSync(path), false);
  });

  test('an in-memory store cannot be read-only: FLOWSTORE_INVALID_OPTIONS', async () => {
    await assert.rejects(openStore({ path: ':memory:', readOnly: true }), { code: 'FLOWSTORE_INVALID_OPTIONS' });
  });

  const refusals: [string, (db: DatabaseSync) => void][] = [
    ['a SQLite file that flowstore never migrated', (db) => db.exec('DROP TABLE flowstore_migrations')],
    ['a migration this flowstore does not know', (db) => db.exec("INSERT INTO flowstore_migrations VALUES (9999, 'future', 'from a newer flowstore', 'x', '2030-01-01 00:00:00')")],
    ['an applied migration that was edited', (db) => db.exec("UPDATE flowstore_migrations SET checksum = 'edited' WHERE version = 1")],
    ['a migration not yet applied (an older file)', (db) => db.exec('DELETE FROM flowstore_migrations WHERE version = (SELECT MAX(version) FROM flowstore_migrations)')],
  ];
  for (const [name, damage] of refusals) {
    test(`${name} is refused with FLOWSTORE_MIGRATION, and left as it was`, async (t) => {
      const path = await writtenFile(t);
      const db = new DatabaseSync(path);
      damage(db);
      db.close();
      const before = sha256(path);
      await assert.rejects(openStore({ path, readOnly: true, readers: 1 }), { code: 'FLOWSTORE_MIGRATION' });
      assert.equal(sha256(path), before);
    });
  }
});
