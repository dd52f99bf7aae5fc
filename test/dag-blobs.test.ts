import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, test, type TestContext } from 'node:test';
import pg from 'pg';
import { openStore, type Store, type StoreOptions } from '../src/index.ts';
import { BACKENDS, cleanup, POSTGRES, tempDir, tempLocation, tempStore } from './helpers.ts';
import { REAL_POSTGRES_URL } from './helpers-postgres.ts';

const big = (label: string) => ({ label, rows: Array.from({ length: 400 }, (_, i) => ({ i, name: `row ${i}`, at: new Date(i * 1000) })) });
const bigBytes = () => new Uint8Array(20_000).map((_, i) => i % 7);
const small = new Uint8Array([1, 2, 3]);
const ZLIB = 0x78;

/** Saves one DAG (and a run) under `compression`, in a store of its own on `where`. */
async function writeUnder(where: StoreOptions, compression: false | { thresholdBytes: number }, dagId: string): Promise<void> {
  const store = await openStore({ ...where, readers: 1, compression });
  await store.dag.saveCache(dagId, { n: { big: big(dagId), small: 1 } });
  await store.dag.saveExecutionTree(dagId, big(dagId));
  await store.dag.saveSnapshot(dagId, bigBytes());
  await store.dag.saveSnapshot(dagId, small);
  await store.dag.saveExecutionState(dagId, 'active', bigBytes());
  await store.runs.saveState(dagId, { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: big(dagId), lastStepOutput: null, status: 'running' });
  await store.close();
}

/** Every row written by {@link writeUnder}, compressed or not, reads back under other settings. */
async function readsBackUnderAnySettings(t: TestContext, where: StoreOptions): Promise<void> {
  for (const compression of [false, { thresholdBytes: 0, level: 9 }] as const) {
    const store = await openStore({ ...where, readers: 1, compression });
    cleanup(t, () => store.close());
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
}

/** A client of the test's own on a PostgreSQL store's schema, ended after the test. */
async function rawPostgres(t: TestContext, where: StoreOptions): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: where.path });
  await client.connect();
  cleanup(t, () => client.end());
  await client.query(`SET search_path TO "${where.postgres!.schema}"`);
  return client;
}

test('rows compressed or not, under any later settings, all read back; the codec records which per row', async (t) => {
  const path = join(tempDir(t), 'dag.db');
  await writeUnder({ path }, { thresholdBytes: 1024 }, 'compressed');
  await writeUnder({ path }, false, 'plain');

  const raw = new DatabaseSync(path, { readOnly: true });
  cleanup(t, () => raw.close());
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
  await readsBackUnderAnySettings(t, { path });
});

test('on postgres: values are bytea, JSON text or deflated by its first byte, blobs flagged per row; all read back', async (t) => {
  const where = await tempLocation(t, POSTGRES);
  await writeUnder(where, { thresholdBytes: 1024 }, 'compressed');
  await writeUnder(where, false, 'plain');

  const raw = await rawPostgres(t, where);
  const first = async (sql: string, dagId: string) => ((await raw.query(sql, [dagId])).rows[0] as { b: number }).b;
  // Deflated JSON starts with zlib's 0x78, JSON text never does: '1' and '{' here.
  assert.equal(await first("SELECT get_byte(value, 0) AS b FROM artifacts WHERE dag_id = $1 AND key = 'big'", 'compressed'), ZLIB);
  assert.equal(await first("SELECT get_byte(value, 0) AS b FROM artifacts WHERE dag_id = $1 AND key = 'small'", 'compressed'), 0x31);
  assert.equal(await first("SELECT get_byte(value, 0) AS b FROM artifacts WHERE dag_id = $1 AND key = 'big'", 'plain'), 0x7b);
  assert.equal(await first('SELECT get_byte(pipeline_context, 0) AS b FROM workflow_state WHERE run_id = $1', 'compressed'), ZLIB);
  assert.equal(await first('SELECT get_byte(pipeline_context, 0) AS b FROM workflow_state WHERE run_id = $1', 'plain'), 0x7b);
  const flags = async (dagId: string) => (await raw.query(`SELECT (SELECT compressed FROM execution_trees WHERE dag_id = $1) AS tree,
    (SELECT string_agg(compressed::text, ',' ORDER BY id) FROM snapshots WHERE dag_id = $1) AS snapshots,
    (SELECT compressed FROM execution_state WHERE dag_id = $1) AS state,
    (SELECT octet_length(state_data) < size FROM execution_state WHERE dag_id = $1) AS smaller`, [dagId])).rows[0];
  assert.deepEqual(await flags('compressed'), { tree: 1, snapshots: '1,0', state: 1, smaller: true });
  assert.deepEqual(await flags('plain'), { tree: 0, snapshots: '0,0', state: 0, smaller: false });
  await readsBackUnderAnySettings(t, where);
});

const GARBAGE = new Uint8Array([0x78, 0x9c, 1, 2, 3, 4, 5, 6, 7, 8]);

/** Saves a good and a bad DAG, compressed; `spoil` then overwrites the bad one's rows. */
async function withSpoiledDag(store: Store, spoil: () => Promise<void> | void): Promise<void> {
  for (const dagId of ['good', 'bad']) {
    await store.dag.saveCache(dagId, { n: { v: big(dagId), s: 'short' } });
    await store.dag.saveExecutionTree(dagId, big(dagId));
    await store.dag.saveSnapshot(dagId, bigBytes());
    await store.dag.saveExecutionState(dagId, 'pending', bigBytes());
  }
  await spoil();

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
}

test('a corrupt blob rejects only its own read with FLOWSTORE_CORRUPT; the store keeps working', async (t) => {
  const store = await tempStore(t, { readers: 2, compression: { thresholdBytes: 256 } });
  await withSpoiledDag(store, () => {
    // A second connection from the test writes garbage where the deflated data was.
    const raw = new DatabaseSync(store.path);
    cleanup(t, () => raw.close());
    raw.prepare("UPDATE artifacts SET value = ? WHERE dag_id = 'bad' AND key = 'v'").run(GARBAGE);
    raw.prepare("UPDATE execution_trees SET tree_data = ? WHERE dag_id = 'bad'").run(GARBAGE);
    raw.prepare("UPDATE snapshots SET snapshot_data = ? WHERE dag_id = 'bad'").run(GARBAGE);
    raw.prepare("UPDATE execution_state SET state_data = 'not a blob' WHERE dag_id = 'bad'").run();
  });
});

test('on postgres: a corrupt blob rejects only its own read with FLOWSTORE_CORRUPT; the store keeps working', async (t) => {
  const where = await tempLocation(t, POSTGRES);
  const store = await openStore({ ...where, readers: 2, compression: { thresholdBytes: 256 } });
  cleanup(t, () => store.close());
  await withSpoiledDag(store, async () => {
    const raw = await rawPostgres(t, where);
    const garbage = Buffer.from(GARBAGE);
    await raw.query("UPDATE artifacts SET value = $1 WHERE dag_id = 'bad' AND key = 'v'", [garbage]);
    await raw.query("UPDATE execution_trees SET tree_data = $1 WHERE dag_id = 'bad'", [garbage]);
    await raw.query("UPDATE snapshots SET snapshot_data = $1 WHERE dag_id = 'bad'", [garbage]);
    // Bytes that are no deflate stream at all, in a row flagged compressed.
    await raw.query("UPDATE execution_state SET state_data = 'not a blob'::bytea WHERE dag_id = 'bad'");
  });
  await store.close();
});

for (const backend of BACKENDS) {
  test(`saveCache of 10,000 entries is atomic: concurrent loadCache sees old or new, never a mix (${backend.name})`, async (t) => {
    // On PGlite every connection shares one session: a reader that connects while a
    // 10,000-row transaction runs waits for it, longer than the default connect timeout.
    const store = await tempStore(t, { path: backend.path, readers: 2, postgres: { connectTimeoutMs: 120_000 } });
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

describe('store.dag: two stores on one PostgreSQL schema, as two hosts', { skip: REAL_POSTGRES_URL ? false : 'needs a real server (FLOWSTORE_TEST_POSTGRES_URL)' }, () => {
  test('replacing one cache at the same moment: it ends as one of the two, never a mix', async (t) => {
    const where = await tempLocation(t, POSTGRES);
    const hosts = [await openStore({ ...where, readers: 1 }), await openStore({ ...where, readers: 1 })] as const;
    cleanup(t, () => Promise.all(hosts.map((h) => h.close())));
    // Each host's version names keys the other's lacks: a mix shows as keys of both.
    const version = (host: string, round: number) => ({
      [`${host}-only`]: Object.fromEntries(Array.from({ length: 50 }, (_, k) => [`${host}${k}`, round])),
      shared: { by: host, round },
    });
    for (let round = 0; round < 40; round++) {
      await Promise.all([hosts[0].dag.saveCache('dag', version('a', round)), hosts[1].dag.saveCache('dag', version('b', round))]);
      const cache = await hosts[round % 2]!.dag.loadCache('dag');
      assert.deepEqual(cache, version(cache.shared?.by === 'a' ? 'a' : 'b', round), `round ${round}`);
    }
    await Promise.all(hosts.map((h) => h.close()));
  });
});
