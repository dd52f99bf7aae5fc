import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { openStore, type Store } from '../src/index.ts';
import { pino } from 'pino';
import { Backlog } from '../src/engine/backlog.ts';
import { Metrics } from '../src/engine/metrics.ts';
import { WriterClient } from '../src/engine/writer-client.ts';
import type { ReaderClient } from '../src/engine/reader-client.ts';
import { cleanup, readerReady, tempDir, tempStore, waitFor } from './helpers.ts';
import { collect, killWriterAfter, run } from './helpers-process.ts';

const state = (i: number) => ({ pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: i, pipelineContext: { i }, lastStepOutput: null, status: 'running' as const });

function internals(store: Store): { writer: WriterClient; readers: ReaderClient } {
  return (store as unknown as Record<symbol, { writer: WriterClient; readers: ReaderClient }>)[Symbol.for('flowstore.internals')]!;
}

test('the writer thread dying rejects its unacknowledged writes with FLOWSTORE_WORKER_EXITED; a new writer takes over', async (t) => {
  const store = await tempStore(t);
  const writes = Array.from({ length: 500 }, (_, i) => store.runs.saveState(`run_${i}`, state(i)));
  // Kill it while the first batches are in flight.
  setImmediate(() => void internals(store).writer.worker.terminate());
  const outcomes = await Promise.allSettled(writes);
  const failed = outcomes.filter((o) => o.status === 'rejected');
  assert.ok(failed.length > 0, 'some writes were in flight when the thread died');
  for (const o of failed) assert.equal((o as PromiseRejectedResult).reason.code, 'FLOWSTORE_WORKER_EXITED');
  // Every write reported committed is there.
  for (const [i, o] of outcomes.entries()) {
    if (o.status === 'fulfilled') assert.equal((await store.runs.loadState(`run_${i}`))?.currentStepIndex, i);
  }
  await store.runs.saveState('after', state(1));
  assert.equal((await store.runs.loadState('after'))?.currentStepIndex, 1);
  assert.equal((await store.metrics()).workerRestarts, 1);
});

test('a writer thread that dies before it is ready is not started again: the open rejects with FLOWSTORE_WORKER_EXITED', async () => {
  // A real thread whose backend module throws as it loads, as a broken install would.
  const config = {
    backend: 'sqlite', threads: 'data:text/javascript,throw new Error("this writer cannot load")', durability: 'normal',
    busyTimeoutMs: 1000, compression: false, readerNiceness: 0, migrationsDir: '', settings: {},
  } as const;
  const metrics = new Metrics();
  await assert.rejects(WriterClient.start(config, pino({ level: 'silent' }), metrics, new Backlog('writes', 10)), { code: 'FLOWSTORE_WORKER_EXITED' });
  // The exit was handled before the rejection was seen: a replacement would have been counted by now.
  assert.equal(metrics.workerRestarts, 0);
});

test('a reader thread dying rejects its reads with FLOWSTORE_WORKER_EXITED; the pool replaces it', async (t) => {
  const store = await tempStore(t, { readers: 1 });
  await store.runs.saveState('run_1', state(1));
  await readerReady(store);
  const { readers } = internals(store);
  const slow = store.query('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000) SELECT count(*) AS n FROM c');
  const point = store.runs.loadState('run_1');
  // Both batches sent to the pool: the scan runs on the thread. The point read waits there
  // too, unless the thread's batch was no longer new when it came (balancer.ts, SLOW_MS; a
  // loaded machine may take that long between the two): then it waits in the pool's queue.
  await waitFor(() => readers.queued === 2, 'both batches sent to the pool');
  const held = readers.undispatched === 0;
  await readers.threads[0]!.terminate();
  const [scanned, pointed] = await Promise.allSettled([slow, point]);
  assert.equal(scanned.status, 'rejected');
  assert.equal((scanned as PromiseRejectedResult).reason.code, 'FLOWSTORE_WORKER_EXITED');
  // What the thread held rejects; what the pool still held runs on the thread that replaces it.
  if (held) assert.equal((pointed as PromiseRejectedResult).reason?.code, 'FLOWSTORE_WORKER_EXITED');
  else assert.equal((pointed as PromiseFulfilledResult<{ currentStepIndex: number } | null>).value?.currentStepIndex, 1);
  assert.equal((await store.runs.loadState('run_1'))?.currentStepIndex, 1);
});

test('SIGKILL with 64 writes in flight loses no acknowledged write and leaves the file intact', async (t) => {
  const path = join(tempDir(t), 'killed.db');
  const { acknowledged, signal } = await killWriterAfter([path, 'killed', '100000'], 2000);
  assert.equal(signal, 'SIGKILL');
  assert.ok(acknowledged.length >= 2000);
  const store = await openStore({ path });
  cleanup(t, () => store.close());
  assert.deepEqual(await store.checkIntegrity(), { ok: true, messages: ['ok'] });
  const ids = new Set((await store.query('SELECT run_id FROM workflow_state')).map((row) => row.run_id));
  const missing = acknowledged.filter((id) => !ids.has(id));
  assert.deepEqual(missing, []);
});

test('three processes writing 5,000 runs each into one file: all 15,000 are there', async (t) => {
  const path = join(tempDir(t), 'shared.db');
  // Create the file first so the three do not race on the first migration (they may, but it is not what this tests).
  const first = await openStore({ path });
  await first.close();
  const results = await Promise.all(['a', 'b', 'c'].map((prefix) => collect(run('writer-process.ts', [path, prefix, '5000']))));
  for (const result of results) {
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.lines.at(-1), 'done');
  }
  const db = new DatabaseSync(path, { readOnly: true });
  cleanup(t, () => db.close());
  const counts = db.prepare('SELECT pipeline_id, COUNT(*) AS n FROM workflow_state GROUP BY pipeline_id ORDER BY pipeline_id').all();
  assert.deepEqual(counts.map((row) => ({ ...row })), [{ pipeline_id: 'a', n: 5000 }, { pipeline_id: 'b', n: 5000 }, { pipeline_id: 'c', n: 5000 }]);
});

test('a reader thread that cannot start does not crash the process: reads reject with a code instead of hanging', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'moved.db');
  const store = await openStore({ path, readers: 1 });
  cleanup(t, () => store.close());
  await store.runs.saveState('run_1', state(1));
  await readerReady(store);
  // The file goes away under the store; the replacement reader thread then fails as it opens.
  renameSync(path, join(dir, 'elsewhere.db'));
  await internals(store).readers.threads[0]!.terminate();
  await assert.rejects(store.runs.loadState('run_1'), { code: 'FLOWSTORE_WORKER_EXITED' });
  // Each read tries a fresh pool rather than waiting forever; the writer is unaffected.
  await assert.rejects(store.runs.loadState('run_1'), { code: 'FLOWSTORE_WORKER_EXITED' });
  await store.runs.saveState('run_2', state(2));
});
