import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS, tempStore } from './helpers.ts';

const bytes = (...values: number[]) => new Uint8Array(values);

/** Rejects with FLOWSTORE_INVALID_ARGUMENT naming `field` (details also carry the zod issues). */
function invalid(field: string) {
  return (error: { code?: string; details?: { field?: string } }) => error.code === 'FLOWSTORE_INVALID_ARGUMENT' && error.details?.field === field;
}

for (const backend of BACKENDS) {
  describe(`store.dag on ${backend.name}`, () => {
    test('saveCache replaces the whole cache; values, Maps and odd keys round-trip; unknown DAG is {}', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      assert.deepEqual(await store.dag.loadCache('unknown'), {});
      const special = { when: new Date('2024-01-02T03:04:05.678Z'), big: 2n ** 70n, set: new Set([1, 'a']), raw: bytes(0, 255), missing: undefined, nan: Number.NaN };
      await store.dag.saveCache('dag1', new Map<string, Map<string, unknown> | Record<string, unknown>>([
        ['extract', new Map<string, unknown>([['rows', 1000], ['meta', special]])],
        ['load', { ok: true, list: [1, null, 'x'] }],
      ]));
      await store.dag.saveCache('dag2', { other: { v: 1 } });
      const loaded = await store.dag.loadCache('dag1');
      assert.deepEqual(loaded, { extract: { rows: 1000, meta: special }, load: { ok: true, list: [1, null, 'x'] } });
      assert.ok('missing' in (loaded.extract!.meta as object));

      // A replacement drops what it does not name, and leaves other DAGs alone.
      const odd = JSON.parse('{"__proto__": {"constructor": 1}}') as Record<string, unknown>;
      await store.dag.saveCache('dag1', { load: { ok: false }, __x: odd });
      const replaced = await store.dag.loadCache('dag1');
      assert.deepEqual(Object.keys(replaced).sort(), ['__x', 'load']);
      assert.deepEqual(replaced.load, { ok: false });
      assert.deepEqual(Object.keys(replaced.__x!), ['__proto__']);
      assert.equal(Object.getPrototypeOf(replaced.__x), Object.prototype);
      assert.deepEqual(await store.dag.loadCache('dag2'), { other: { v: 1 } });
      await store.dag.saveCache('dag1', {});
      assert.deepEqual(await store.dag.loadCache('dag1'), {});
    });

    test('saveCacheDelta upserts only the given entries and moves only their updated_at', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.dag.saveCache('dag', { a: { x: 1, y: 2 }, b: { z: 3 } });
      const before = await store.query("SELECT node_id, key, created_at, updated_at FROM artifacts WHERE dag_id = 'dag' ORDER BY node_id, key");
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store.dag.saveCacheDelta('dag', new Map<string, Record<string, unknown> | Map<string, unknown>>([['a', { y: 20, w: 'new' }], ['c', new Map([['k', [1]]])]]));
      assert.deepEqual(await store.dag.loadCache('dag'), { a: { w: 'new', x: 1, y: 20 }, b: { z: 3 }, c: { k: [1] } });
      const after = await store.query("SELECT node_id, key, created_at, updated_at FROM artifacts WHERE dag_id = 'dag' ORDER BY node_id, key");
      const row = (rows: Record<string, unknown>[], node: string, key: string) => rows.find((r) => r.node_id === node && r.key === key)!;
      assert.deepEqual(row(after, 'a', 'x'), row(before, 'a', 'x'));
      assert.deepEqual(row(after, 'b', 'z'), row(before, 'b', 'z'));
      assert.equal(row(after, 'a', 'y').created_at, row(before, 'a', 'y').created_at);
      assert.ok(String(row(after, 'a', 'y').updated_at) > String(row(before, 'a', 'y').updated_at));
      // Timestamps read in SQLite's own form on every backend, and are times to the database:
      // the document's datetime() queries work on SQLite, PostgreSQL's own time functions there.
      assert.match(String(row(after, 'a', 'w').updated_at), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
      const [check] = await store.query(store.backend === 'sqlite'
        ? "SELECT datetime(updated_at) IS NOT NULL AS ok FROM artifacts WHERE dag_id = 'dag' AND key = 'w'"
        : "SELECT (updated_at > now() - interval '1 hour')::int AS ok FROM artifacts WHERE dag_id = 'dag' AND key = 'w'");
      assert.equal(check!.ok, 1);
      await store.dag.saveCacheDelta('fresh', { n: { k: 'v' } });
      assert.deepEqual(await store.dag.loadCache('fresh'), { n: { k: 'v' } });
    });

    test('execution trees: saved, replaced, null when absent', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      assert.equal(await store.dag.loadExecutionTree('dag'), null);
      const tree = { nodes: [{ id: 'a', status: 'completed', finishedAt: new Date(1_700_000_000_000) }], edges: [['a', 'b']], meta: new Map([['k', 1n]]) };
      await store.dag.saveExecutionTree('dag', tree);
      assert.deepEqual(await store.dag.loadExecutionTree('dag'), tree);
      await store.dag.saveExecutionTree('dag', { nodes: [] });
      assert.deepEqual(await store.dag.loadExecutionTree('dag'), { nodes: [] });
      assert.equal(await store.dag.loadExecutionTree('other'), null);
    });

    test('snapshots: every one kept, distinct and ordered within one millisecond; latest, by id, list, prune', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      assert.equal(await store.dag.loadLatestSnapshot('dag'), null);
      assert.deepEqual(await store.dag.listSnapshots('dag'), []);
      // Saved in one turn, so one writer batch: on SQLite many share a millisecond.
      const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => store.dag.saveSnapshot('dag', bytes(i, i + 1))));
      await store.dag.saveSnapshot('other', bytes(99));
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.equal(new Set(ids).size, 40);
      const list = await store.dag.listSnapshots('dag');
      assert.deepEqual(list.map((s) => s.id), ids);
      assert.ok(list.every((s) => s.size === 2 && s.storedSize === 2 && !s.compressed && s.createdAt instanceof Date));
      const times = list.map((s) => s.createdAt.getTime());
      assert.deepEqual(times, [...times].sort((a, b) => a - b));
      // PostgreSQL's writer waits for each snapshot's id, a round trip that PGlite on a busy
      // machine makes longer than a millisecond: there ties are likely, not certain.
      if (store.backend === 'sqlite') assert.ok(new Set(times).size < 40, 'some snapshots share a millisecond');
      const latestBytes = (await store.dag.loadLatestSnapshot('dag'))!;
      assert.deepEqual(latestBytes, bytes(39, 40));
      // Its own bytes only: no buffer shared with other rows travels with it.
      assert.equal(latestBytes.buffer.byteLength, 2);
      assert.deepEqual(await store.dag.loadSnapshot('dag', ids[5]!), bytes(5, 6));
      assert.equal(await store.dag.loadSnapshot('other', ids[5]!), null);
      // The document's own query still runs on the table.
      const [latest] = await store.query("SELECT snapshot_data FROM snapshots WHERE dag_id = 'dag' ORDER BY created_at DESC, id DESC LIMIT 1");
      assert.deepEqual(latest!.snapshot_data, bytes(39, 40));

      assert.equal(await store.dag.pruneSnapshots('dag', { keep: 3 }), 37);
      assert.deepEqual((await store.dag.listSnapshots('dag')).map((s) => s.id), ids.slice(-3));
      assert.deepEqual(await store.dag.loadLatestSnapshot('dag'), bytes(39, 40));
      assert.equal(await store.dag.pruneSnapshots('dag', { keep: 3 }), 0);
      assert.equal((await store.dag.listSnapshots('other')).length, 1);
      assert.equal(await store.dag.pruneSnapshots('other', { keep: 0 }), 1);
      assert.equal(await store.dag.loadLatestSnapshot('other'), null);
    });

    test("execution state: 'active' and 'pending' kept apart and replaced; other types rejected", async (t) => {
      const store = await tempStore(t, { path: backend.path });
      assert.equal(await store.dag.loadExecutionState('dag', 'active'), null);
      await store.dag.saveExecutionState('dag', 'active', bytes(1));
      await store.dag.saveExecutionState('dag', 'pending', Buffer.from([2, 2]));
      await store.dag.saveExecutionState('dag', 'active', bytes(3, 3, 3));
      assert.deepEqual(await store.dag.loadExecutionState('dag', 'active'), bytes(3, 3, 3));
      assert.deepEqual(await store.dag.loadExecutionState('dag', 'pending'), bytes(2, 2));
      assert.equal(await store.dag.loadExecutionState('other', 'pending'), null);
      await assert.rejects(store.dag.saveExecutionState('dag', 'done' as 'active', bytes(9)), invalid('stateType'));
      await assert.rejects(store.dag.loadExecutionState('dag', 'ACTIVE' as 'active'), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      assert.deepEqual(await store.query('SELECT state_type FROM execution_state ORDER BY state_type'), [{ state_type: 'active' }, { state_type: 'pending' }]);
    });

    test('debugDump gives per-DAG counts and sizes as data and as the document prints them', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      assert.deepEqual(await store.dag.debugDump(), {
        dags: [], text: '=== SQLite DB Contents ===\nArtifacts by DAG:\nExecution trees:\nSnapshots by DAG:\nExecution states:',
      });
      await store.dag.saveCache('workflow1', { a: { x: 1, y: 2 }, b: { z: 3 } });
      await store.dag.saveCache('workflow2', { a: { x: 1 } });
      await store.dag.saveExecutionTree('workflow1', { n: 1 });
      await store.dag.saveSnapshot('workflow1', bytes(1, 2, 3));
      await store.dag.saveSnapshot('workflow1', bytes(4));
      await store.dag.saveSnapshot('workflow3', bytes(4));
      await store.dag.saveExecutionState('workflow1', 'active', new Uint8Array(512));
      await store.dag.saveExecutionState('workflow1', 'pending', new Uint8Array(256));
      const dump = await store.dag.debugDump();
      const treeBytes = Buffer.byteLength('{"n":1}');
      assert.deepEqual(dump.dags, [
        { dagId: 'workflow1', artifactEntries: 3, executionTreeBytes: treeBytes, snapshotCount: 2, snapshotBytes: 4, stateBytes: { active: 512, pending: 256 } },
        { dagId: 'workflow2', artifactEntries: 1, executionTreeBytes: null, snapshotCount: 0, snapshotBytes: 0, stateBytes: { active: null, pending: null } },
        { dagId: 'workflow3', artifactEntries: 0, executionTreeBytes: null, snapshotCount: 1, snapshotBytes: 1, stateBytes: { active: null, pending: null } },
      ]);
      assert.equal(dump.text, [
        '=== SQLite DB Contents ===',
        'Artifacts by DAG:',
        "  DAG 'workflow1': 3 entries",
        "  DAG 'workflow2': 1 entries",
        'Execution trees:',
        `  DAG 'workflow1': ${treeBytes} bytes`,
        'Snapshots by DAG:',
        "  DAG 'workflow1': 2 snapshots",
        "  DAG 'workflow3': 1 snapshots",
        'Execution states:',
        "  DAG 'workflow1' active: 512 bytes",
        "  DAG 'workflow1' pending: 256 bytes",
      ].join('\n'));
    });

    test('bad arguments reject with the field named and change nothing', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const cases: [Promise<unknown>, string][] = [
        [store.dag.saveCache('', {}), 'dagId'],
        [store.dag.saveCache('d', [] as never), 'cache'],
        [store.dag.saveCache('d', 'x' as never), 'cache'],
        [store.dag.saveCache('d', { n: 5 } as never), 'cache.n'],
        [store.dag.saveCache('d', { n: new Date() } as never), 'cache.n'],
        [store.dag.saveCacheDelta('d', { n: { '': 1 } }), 'cache.n.'],
        [store.dag.saveCacheDelta('d', new Map([[1, {}]]) as never), 'cache.1'],
        [store.dag.saveCacheDelta('d', { ['n'.repeat(513)]: {} }), `cache.${'n'.repeat(513)}`],
        [store.dag.saveSnapshot('d', [1, 2] as never), 'data'],
        [store.dag.saveExecutionState('d', 'active', 'text' as never), 'data'],
        [store.dag.pruneSnapshots('d', { keep: -1 }), 'keep'],
        [store.dag.pruneSnapshots('d', undefined as never), 'keep'],
        [store.dag.loadSnapshot('d', 1.5), 'id'],
        [store.dag.loadCache(42 as never), 'dagId'],
      ];
      for (const [promise, field] of cases) await assert.rejects(promise, invalid(field), field);
      // A value the codec cannot store rejects on the writer, alone.
      await assert.rejects(store.dag.saveCache('d', { n: { k: Symbol('s') } }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      assert.deepEqual((await store.dag.debugDump()).dags, []);
    });

    test('inside a transaction: writes commit together or roll back together', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.transaction(async (tx) => {
        await tx.dag.saveCache('dag', { n: { k: 1 } });
        await tx.dag.saveExecutionState('dag', 'active', bytes(1));
        assert.deepEqual(await tx.dag.loadCache('dag'), { n: { k: 1 } });
        assert.equal((await tx.dag.debugDump()).dags.length, 1);
      });
      await assert.rejects(store.transaction(async (tx) => {
        await tx.dag.saveCacheDelta('dag', { n: { k: 2 } });
        await tx.dag.saveSnapshot('dag', bytes(2));
        throw new Error('abort');
      }), /abort/);
      assert.deepEqual(await store.dag.loadCache('dag'), { n: { k: 1 } });
      assert.equal(await store.dag.loadLatestSnapshot('dag'), null);
      assert.deepEqual(await store.dag.loadExecutionState('dag', 'active'), bytes(1));
    });
  });
}
