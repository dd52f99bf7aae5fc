import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../src/index.ts';
import { cleanup, readerReady, tempDir, tempStore } from './helpers.ts';

const state = (i: number) => ({ pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: i, pipelineContext: { i }, lastStepOutput: null, status: 'running' as const });

test('close() is idempotent and every later call rejects with FLOWSTORE_CLOSED', async (t) => {
  const store = await tempStore(t);
  await store.runs.saveState('run_1', state(1));
  await Promise.all([store.close(), store.close()]);
  await store.close();
  assert.equal(store.closed, true);
  await assert.rejects(store.runs.loadState('run_1'), { code: 'FLOWSTORE_CLOSED' });
  await assert.rejects(store.runs.saveState('run_2', state(2)), { code: 'FLOWSTORE_CLOSED' });
  await assert.rejects(store.query('SELECT 1'), { code: 'FLOWSTORE_CLOSED' });
  await assert.rejects(store.transaction(async () => {}), { code: 'FLOWSTORE_CLOSED' });
});

test('close() during a burst of writes: each write resolves or rejects, and every resolved one is stored', async (t) => {
  const path = join(tempDir(t), 'burst.db');
  const store = await openStore({ path });
  const writes = Array.from({ length: 3000 }, (_, i) => store.runs.saveState(`run_${i}`, state(i)));
  const closing = store.close();
  const late = assert.rejects(store.runs.saveState('late', state(0)), { code: 'FLOWSTORE_CLOSED' });
  const outcomes = await Promise.allSettled(writes);
  await closing;
  await late;
  const reopened = await openStore({ path });
  cleanup(t, () => reopened.close());
  const stored = new Set((await reopened.query('SELECT run_id FROM workflow_state')).map((r) => r.run_id));
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') assert.ok(stored.has(`run_${i}`), `run_${i} was acknowledged`);
  });
  // Accepted before close means committed: nothing was dropped.
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 3000);
});

/** Whether this Node parses `await using` (24 does; 22 does not). */
function parsesAwaitUsing(): boolean {
  try {
    new Function('return async () => { await using x = null; }');
    return true;
  } catch {
    return false;
  }
}

test('Symbol.asyncDispose closes the store', async (t) => {
  const store = await openStore({ path: join(tempDir(t), 'dispose.db') });
  await store.runs.saveState('run_1', state(1));
  await store[Symbol.asyncDispose]();
  assert.equal(store.closed, true);
});

test('await using closes the store', { skip: !parsesAwaitUsing() && 'this Node cannot parse await using' }, async (t) => {
  const { openInBlock } = await import('./fixtures/await-using.ts');
  const store = await openInBlock(join(tempDir(t), 'dispose.db'));
  assert.equal(store.closed, true);
});

test('a file that is not SQLite fails to open with FLOWSTORE_CORRUPT', async (t) => {
  const path = join(tempDir(t), 'not-a-db.db');
  writeFileSync(path, 'this is a text file, not a database '.repeat(200));
  await assert.rejects(openStore({ path }), { code: 'FLOWSTORE_CORRUPT' });
});

test('a path in a missing directory fails to open with FLOWSTORE_SQLITE', async (t) => {
  const path = join(tempDir(t), 'missing', 'dir', 'x.db');
  await assert.rejects(openStore({ path }), { code: 'FLOWSTORE_SQLITE' });
});

test('two :memory: stores never see each other', async (t) => {
  const a = await tempStore(t, { path: ':memory:' });
  const b = await tempStore(t, { path: 'sqlite::memory:' });
  await a.runs.saveState('run_1', state(1));
  assert.equal(await b.runs.loadState('run_1'), null);
  assert.equal((await a.runs.loadState('run_1'))?.currentStepIndex, 1);
});

test('metrics() reports counts, batches, commit latency and queue depth', async (t) => {
  const store = await tempStore(t);
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.runs.saveState(`run_${i}`, state(i))));
  await Promise.all(Array.from({ length: 100 }, (_, i) => store.runs.loadState(`run_${i}`)));
  const m = await store.metrics();
  assert.equal(m.writes, 200);
  assert.equal(m.reads, 100);
  assert.ok(m.writeBatches < 200, 'writes were batched');
  assert.ok(m.averageWriteBatch > 1);
  assert.ok(m.commitMs.p50 > 0 && m.commitMs.p99 >= m.commitMs.p50);
  assert.equal(m.queueDepth, 0);
  assert.ok(m.walBytes > 0);
});

test('a relative path keeps meaning the same file after the process changes directory', async (t) => {
  const dir = tempDir(t);
  const home = process.cwd();
  process.chdir(dir);
  cleanup(t, () => process.chdir(home));
  const store = await openStore({ path: './relative.db', durability: 'full', readers: 1 });
  cleanup(t, () => store.close());
  process.chdir(home);
  await store.runs.saveState('run_1', state(1));
  await readerReady(store);
  // A reader started now (the replaced thread) must open the same file.
  const internals = (store as unknown as Record<symbol, { readers: { threads: { terminate(): Promise<number> }[] } }>)[Symbol.for('flowstore.internals')]!;
  await internals.readers.threads[0]!.terminate();
  await store.runs.loadState('run_1').catch(() => null);
  assert.equal((await store.runs.loadState('run_1'))?.currentStepIndex, 1);
  assert.equal(existsSync(join(dir, 'relative.db')), true);
  assert.equal(existsSync(join(home, 'relative.db')), false);
});
