import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { openStore } from '../src/index.ts';
import { tempDir, tempStore } from './helpers.ts';

const big = (label: string) => ({ label, rows: Array.from({ length: 400 }, (_, i) => ({ i, name: `row ${i}`, at: new Date(i * 1000) })) });
const bigBytes = () => new Uint8Array(20_000).map((_, i) => i % 7);
const small = new Uint8Array([1, 2, 3]);

test('rows compressed or not, under any later settings, all read back; the codec records which per row', async (t) => {
  const path = join(tempDir(t), 'dag.db');
  const write = async (compression: false | { thresholdBytes: number }, dagId: string) => {
    const store = await openStore({ path, readers: 1, compression });
    await store.dag.saveCache(dagId, { n: { big: big(dagId), small: 1 } });
    await store.dag.saveExecutionTree(dagId, big(dagId));
    await store.dag.saveSnapshot(dagId, bigBytes());
    await store.dag.saveSnapshot(dagId, small);
    await store.dag.saveExecutionState(dagId, 'active', bigBytes());
    await store.runs.saveState(dagId, { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: big(dagId), lastStepOutput: null, status: 'running' });
    await store.close();
  };
  await write({ thresholdBytes: 1024 }, 'compressed');
  await write(false, 'plain');

  const raw = new DatabaseSync(path, { readOnly: true });
  t.after(() => raw.close());
  const typeOf = (sql: string, dagId: string) => (raw.prepare(sql).get(dagId) as { t: string }).t;
  assert.equal(typeOf("SELECT typeof(value) AS t FROM artifacts WHERE dag_id = ? AND key = 'big'", 'compressed'), 'blob');
  assert.equal(typeOf("SELECT typeof(value) AS t FROM artifacts WHERE dag_id = ? AND key = 'small'", 'compressed'), 'text');
  assert.equal(typeOf("SELECT typeof(value) AS t FROM artifacts WHERE dag_id = ? AND key = 'big'", 'plain'), 'text');
  assert.equal(typeOf('SELECT typeof(pipeline_context) AS t FROM workflow_state WHERE run_id = ?', 'compressed'), 'blob');
  assert.equal(typeOf('SELECT typeof(pipeline_context) AS t FROM workflow_state WHERE run_id = ?', 'plain'), 'text');
  const flags = (dagId: string) => raw.prepare(`SELECT (SELECT compressed FROM execution_trees WHERE dag_id = ?1) AS tree,
    (SELECT group_concat(compressed) FROM snapshots WHERE dag_id = ?1 ORDER BY id) AS snapshots,
    (SELECT compressed FROM execution_state WHERE dag_id = ?1) AS state,
    (SELECT length(state_data) < size FROM execution_state WHERE dag_id = ?1) AS smaller`).get(dagId);
  assert.deepEqual({ ...flags('compressed') }, { tree: 1, snapshots: '1,0', state: 1, smaller: 1 });
  assert.deepEqual({ ...flags('plain') }, { tree: 0, snapshots: '0,0', state: 0, smaller: 0 });

  for (const compression of [false, { thresholdBytes: 0, level: 9 }] as const) {
    const store = await openStore({ path, readers: 1, compression });
    t.after(() => store.close());
    for (const dagId of ['compressed', 'plain']) {
      assert.deepEqual(await store.dag.loadCache(dagId), { n: { big: big(dagId), small: 1 } });
      assert.deepEqual(await store.dag.loadExecutionTree(dagId), big(dagId));
      const list = await store.dag.listSnapshots(dagId);
      assert.deepEqual(await store.dag.loadSnapshot(dagId, list[0]!.id), bigBytes());
      assert.deepEqual(await store.dag.loadLatestSnapshot(dagId), small);
      assert.deepEqual(await store.dag.loadExecutionState(dagId, 'active'), bigBytes());
      assert.deepEqual((await store.runs.loadState(dagId))?.pipelineContext, big(dagId));
    }
    await store.close();
  }
});

test('a corrupt blob rejects only its own read with FLOWSTORE_CORRUPT; the store keeps working', async (t) => {
  const store = await tempStore(t, { readers: 2, compression: { thresholdBytes: 256 } });
  for (const dagId of ['good', 'bad']) {
    await store.dag.saveCache(dagId, { n: { v: big(dagId), s: 'short' } });
    await store.dag.saveExecutionTree(dagId, big(dagId));
    await store.dag.saveSnapshot(dagId, bigBytes());
    await store.dag.saveExecutionState(dagId, 'pending', bigBytes());
  }
  // A second connection from the test writes garbage where the deflated data was.
  const raw = new DatabaseSync(store.path);
  t.after(() => raw.close());
  const garbage = new Uint8Array([0x78, 0x9c, 1, 2, 3, 4, 5, 6, 7, 8]);
  raw.prepare("UPDATE artifacts SET value = ? WHERE dag_id = 'bad' AND key = 'v'").run(garbage);
  raw.prepare("UPDATE execution_trees SET tree_data = ? WHERE dag_id = 'bad'").run(garbage);
  raw.prepare("UPDATE snapshots SET snapshot_data = ? WHERE dag_id = 'bad'").run(garbage);
  raw.prepare("UPDATE execution_state SET state_data = 'not a blob' WHERE dag_id = 'bad'").run();

  const corrupt = (table: string) => (error: { code?: string; details?: { table?: string; dagId?: string } }) =>
    error.code === 'FLOWSTORE_CORRUPT' && error.details?.table === table && error.details.dagId === 'bad';
  // Issued together, so that the failing reads share reader batches with the good ones.
  const [tree, cache, snapshot, state, goodCache, goodTree] = await Promise.allSettled([
    store.dag.loadExecutionTree('bad'), store.dag.loadCache('bad'), store.dag.loadLatestSnapshot('bad'),
    store.dag.loadExecutionState('bad', 'pending'), store.dag.loadCache('good'), store.dag.loadExecutionTree('good'),
  ]);
  const reason = (result: PromiseSettledResult<unknown>) => (result.status === 'rejected' ? result.reason : { code: 'resolved' });
  assert.ok(corrupt('execution_trees')(reason(tree!)), String(reason(tree!)));
  assert.ok(corrupt('artifacts')(reason(cache!)), String(reason(cache!)));
  assert.ok(corrupt('snapshots')(reason(snapshot!)), String(reason(snapshot!)));
  assert.ok(corrupt('execution_state')(reason(state!)), String(reason(state!)));
  // Reads batched with the failing ones, and everything after, still work.
  assert.deepEqual(goodCache, { status: 'fulfilled', value: { n: { v: big('good'), s: 'short' } } });
  assert.deepEqual(goodTree, { status: 'fulfilled', value: big('good') });
  await assert.rejects(store.dag.loadCache('bad'), corrupt('artifacts'));
  assert.deepEqual(await store.dag.loadLatestSnapshot('good'), bigBytes());
  assert.equal((await store.dag.debugDump()).dags.length, 2);
  await store.dag.saveCache('bad', { n: { v: 'repaired' } });
  assert.deepEqual(await store.dag.loadCache('bad'), { n: { v: 'repaired' } });
});

for (const backend of [{ name: 'file', path: undefined }, { name: ':memory:', path: ':memory:' }]) {
  test(`saveCache of 10,000 entries is atomic: concurrent loadCache sees old or new, never a mix (${backend.name})`, async (t) => {
    const store = await tempStore(t, { path: backend.path, readers: 2 });
    // Each version names its own keys and values, so a mixed read shows as a wrong key set or value.
    const version = (v: number) => {
      const cache: Record<string, Record<string, unknown>> = {};
      for (let n = 0; n < 100; n++) {
        const node: Record<string, unknown> = {};
        for (let k = 0; k < 100; k++) node[`k${k}_v${v % 2}`] = { v, n, k };
        cache[`node${n}`] = node;
      }
      return cache;
    };
    const check = (cache: Record<string, Record<string, unknown>>): number => {
      const nodes = Object.values(cache);
      const first = nodes[0]?.[Object.keys(nodes[0])[0]!] as { v: number };
      const v = first.v;
      let count = 0;
      for (const node of nodes) {
        for (const [key, value] of Object.entries(node)) {
          assert.ok(key.endsWith(`_v${v % 2}`), `key ${key} in version ${v}`);
          assert.equal((value as { v: number }).v, v);
          count++;
        }
      }
      assert.equal(count, 10_000);
      return v;
    };
    await store.dag.saveCache('big', version(0));
    const saves = 10;
    let saving = 0;
    let done = false;
    let latest = 0;
    let overlapped = 0;
    let failure: unknown;
    const loader = async () => {
      try {
        while (!done) {
          const during = saving > 0;
          latest = check(await store.dag.loadCache('big'));
          if (during || saving > 0) overlapped++;
        }
      } catch (error) {
        failure ??= error;
        done = true;
      }
    };
    const loaders = Array.from({ length: 3 }, loader);
    for (let v = 1; v <= saves && !done; v++) {
      saving++;
      await store.dag.saveCache('big', version(v));
      saving--;
      // Loads keep running; wait until one has seen this version before the next save.
      while (latest !== v && !done) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    done = true;
    await Promise.all(loaders);
    if (failure) throw failure;
    assert.equal(check(await store.dag.loadCache('big')), saves);
    assert.ok(overlapped >= saves, `only ${overlapped} loads overlapped a save`);
  });
}
