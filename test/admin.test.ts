import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import pg from 'pg';
import { openStore, type BackupProgress, type Store } from '../src/index.ts';
import { decodeCell, encodeCell } from '../src/domains/admin/values.ts';
import { BACKENDS, cleanup, POSTGRES, tempDir, tempLocation, tempStore } from './helpers.ts';
import { REAL_POSTGRES_URL } from './helpers-postgres.ts';

const HOUR = 3_600_000;

function run(status: 'running' | 'completed' | 'failed' | 'paused', updatedAt: Date, context: unknown = { n: 1 }) {
  return { pipelineId: 'etl', pipelineName: 'ETL', pipelineVersion: '1', pipelineContext: context, lastStepOutput: null, status, createdAt: updatedAt, updatedAt };
}

/** Collects an export as text. */
async function exportText(store: Store): Promise<string> {
  let text = '';
  await store.exportJsonl((chunk) => { text += chunk; });
  return text;
}

for (const backend of BACKENDS) {
  describe(`admin on ${backend.name}`, () => {
    test('backup copies a consistent snapshot while writes continue, reporting progress', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      // 3000 saves one after another: longer than the default timeout on PGlite.
      await store.transaction(async (tx) => {
        for (let i = 0; i < 3000; i++) await tx.runs.saveState(`r${i}`, run('completed', new Date(), { pad: 'x'.repeat(300), i }));
      }, { timeoutMs: 120_000 });
      let writing = true;
      let written = 0;
      const writer = (async () => {
        while (writing) {
          await Promise.all(Array.from({ length: 16 }, (_, k) => store.runs.saveState(`live${written + k}`, run('running', new Date()))));
          written += 16;
        }
      })();
      const progress: BackupProgress[] = [];
      const dest = join(tempDir(t), 'copy.db');
      const result = await store.backup(dest, { onProgress: (p) => progress.push(p) });
      writing = false;
      await writer;
      assert.ok(result.pages > 100);
      assert.ok(progress.length >= 2, 'progress reported along the way');
      const last = progress.at(-1)!;
      if (backend.name === 'postgres') {
        // Copied row by row into a SQLite file: the rows of the snapshot, the 3000 and the live ones saved before it.
        assert.ok('totalRows' in last && last.remainingRows === 0 && last.totalRows >= 3000, JSON.stringify(last));
      } else {
        assert.deepEqual(last, { totalPages: result.pages, remainingPages: 0 });
      }
      const copy = await openStore({ path: dest, readers: 1 });
      cleanup(t, () => copy.close());
      assert.deepEqual(await copy.checkIntegrity(), { ok: true, messages: ['ok'] });
      const stats = await copy.runs.getWorkflowStats();
      assert.equal(stats.statusCounts.completed, 3000);
      assert.ok(written > 0);
    });

    test('backup refuses an existing destination unless overwrite, and the store itself', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const dest = join(tempDir(t), 'exists.db');
      writeFileSync(dest, '');
      await assert.rejects(store.backup(dest), { code: 'FLOWSTORE_CONFLICT' });
      assert.ok((await store.backup(dest, { overwrite: true })).pages > 0);
      if (backend.path === undefined) await assert.rejects(store.backup(store.path, { overwrite: true }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    });

    test('vacuum and vacuumInto keep the data', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      for (let i = 0; i < 200; i++) void store.runs.saveState(`r${i}`, run('completed', new Date(), { pad: 'y'.repeat(2000) }));
      await store.runs.saveState('keep', run('running', new Date()));
      await store.runs.cleanupOldWorkflows({ daysOld: 1e-9 });
      const before = await store.tableStats();
      await store.vacuum();
      const after = await store.tableStats();
      if (backend.name === 'postgres') {
        // VACUUM (ANALYZE) of every table of the store: each counts a vacuum and an analyze of its own.
        const counts = await store.query(`SELECT relname AS name, vacuum_count AS vacuums, analyze_count AS analyzes
          FROM pg_stat_user_tables WHERE schemaname = current_schema() ORDER BY relname`);
        assert.deepEqual(counts.map((c) => c.name), after.tables.map((t2) => t2.name).concat('flowstore_migrations').sort());
        for (const c of counts) assert.ok(Number(c.vacuums) >= 1 && Number(c.analyzes) >= 1, JSON.stringify(c));
        assert.deepEqual(after.tables.map((t2) => t2.rows), before.tables.map((t2) => t2.rows));
        assert.ok(after.tables.every((t2) => typeof t2.bytes === 'number' && t2.bytes > 0));
        assert.equal(after.freePages, 0);
      } else {
        assert.ok(before.freePages > 0);
        assert.equal(after.freePages, 0);
        assert.ok(after.pageCount < before.pageCount);
      }
      const dest = join(tempDir(t), 'compact.db');
      await store.vacuumInto(dest);
      await assert.rejects(store.vacuumInto(dest), { code: 'FLOWSTORE_CONFLICT' });
      const copy = await openStore({ path: dest, readers: 1 });
      cleanup(t, () => copy.close());
      assert.equal((await copy.runs.loadState('keep'))?.status, 'running');
    });

    test('cleanup deletes old finished work in every domain, never running work', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const old = new Date(Date.now() - 40 * 24 * HOUR);
      await store.runs.saveState('old-done', run('completed', old));
      await store.runs.saveState('old-failed', run('failed', old));
      await store.runs.saveState('old-paused', run('paused', old));
      await store.runs.saveState('old-running', run('running', old));
      await store.runs.saveState('new-done', run('completed', new Date()));
      // aaow sessions: finished ones go with what cascades from them; running and paused ones stay.
      const definition = { root: { type: 'group' as const, label: 'root', nodes: {}, edges: [], entryPoint: 'in', exitPoint: 'out', inputType: { type: 'string' as const }, outputType: { type: 'string' as const } } };
      await store.aaow.saveWorkflow({ id: 'wf', name: 'wf', version: '1', definition, createdAt: old, updatedAt: old });
      for (const [id, status] of [['s-done', 'completed'], ['s-failed', 'failed'], ['s-paused', 'paused'], ['s-running', 'running']] as const) {
        await store.aaow.createSession({ id, workflowId: 'wf', workflowSnapshot: definition, status, createdAt: old, updatedAt: old });
      }
      // Agent sessions: ended ones go with their events; an active one stays.
      const oldSeconds = Math.floor(old.getTime() / 1000);
      await store.agents.saveSession({ id: 'a-ended', agentId: 'agent', status: 'completed', startedAt: oldSeconds, endedAt: oldSeconds });
      await store.agents.saveSession({ id: 'a-active', agentId: 'agent', status: 'active', startedAt: oldSeconds });
      await store.agents.saveEvent({ sessionId: 'a-ended', eventType: 'note', actorType: 'agent', actorId: 'agent', content: 'old words' });
      await store.agents.saveEvent({ sessionId: 'a-active', eventType: 'note', actorType: 'agent', actorId: 'agent', content: 'live words' });

      assert.deepEqual(await store.cleanup({ olderThanDays: 30, statuses: ['failed'] }), { runs: 1, aaow: 1, agents: 0, langgraph: 0, langgraphItems: 0, queue: 0, total: 2 });
      assert.equal(await store.runs.loadState('old-failed'), null);
      assert.equal(await store.aaow.getSession('s-failed'), null);
      assert.deepEqual(await store.cleanup({ olderThanDays: 30 }), { runs: 2, aaow: 1, agents: 1, langgraph: 0, langgraphItems: 0, queue: 0, total: 4 });
      const left = (await store.runs.listWorkflows()).map((r) => r.runId).sort();
      assert.deepEqual(left, ['new-done', 'old-running']);
      assert.deepEqual((await store.query('SELECT "id" FROM aaow_sessions ORDER BY "id"')).map((r) => r.id), ['s-paused', 's-running']);
      assert.deepEqual((await store.query('SELECT id FROM sessions')).map((r) => r.id), ['a-active']);
      assert.deepEqual((await store.agents.searchEvents('words')).map((e) => e.sessionId), ['a-active']);
      await assert.rejects(store.cleanup({ olderThanDays: 30, statuses: ['running'] }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(store.cleanup({ olderThanDays: -1 }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    });

    test('export then import into an empty store gives an equal store, every domain', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('r1', run('completed', new Date('2024-05-06T07:08:09.123Z'), { big: 2n ** 70n, when: new Date(0), bytes: new Uint8Array([0, 1, 255]) }));
      await store.runs.saveState('r2', { ...run('failed', new Date()), memoryUsageMb: 12, executionTimeMs: 2 ** 40 });
      await store.dag.saveCacheDelta('dag1', { n1: { out: [1, 2, 3] } });
      await store.dag.saveSnapshot('dag1', new Uint8Array(50_000).fill(7));
      await store.dag.saveExecutionState('dag1', 'active', new Uint8Array([9, 8, 7]));
      await store.agents.saveAgentState({ agentId: 'a1', name: 'Agent', status: 'idle', stateData: '{"k":1}' });
      await store.agents.saveEvent({ eventType: 'note', sessionId: 's1', actorType: 'agent', actorId: 'a1', content: 'the quick brown fox' });
      await store.agents.saveEvent({ eventType: 'note', sessionId: 's1', actorType: 'agent', actorId: 'a1', content: 'lazy dogs sleep' });
      const text = await exportText(store);
      const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines[0].flowstore, 'export');
      // SQLite exports its FTS5 table, marked derived; PostgreSQL keeps a search vector in events, which no line carries.
      if (backend.name === 'postgres') assert.ok(!lines.some((l) => l.table === 'events_fts'));
      else assert.ok(lines.some((l) => l.table === 'events_fts' && l.columns && l.derived === true));
      assert.ok(!lines.some((l) => l.table === 'flowstore_migrations'));
      assert.equal(lines.at(-1).end, true);

      const target = await tempStore(t, { path: backend.path });
      const summary = await target.importJsonl([text]);
      assert.equal(summary.rows, lines.at(-1).rows);
      assert.equal(await exportText(target), text);
      assert.deepEqual(await target.runs.loadState('r1'), await store.runs.loadState('r1'));
      assert.deepEqual(await target.dag.loadLatestSnapshot('dag1'), new Uint8Array(50_000).fill(7));
      assert.deepEqual((await target.agents.searchEvents('fox')).map((e) => e.content), ['the quick brown fox']);
      // Importing again: the store is no longer empty.
      await assert.rejects(target.importJsonl([text]), { code: 'FLOWSTORE_CONFLICT' });
    });

    test('a truncated or malformed import changes nothing', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('r1', run('completed', new Date()));
      const text = await exportText(store);
      const target = await tempStore(t, { path: backend.path });
      const truncated = text.split('\n').slice(0, -2).join('\n');
      await assert.rejects(target.importJsonl([truncated]), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(target.importJsonl(['{"not":"an export"}\n']), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(target.importJsonl([text.replace('"workflow_state","values":[', '"workflow_state","values":[1,')]), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(target.importJsonl([text.replace('"table":"workflow_state","columns"', '"table":"no_such_table","columns"')]), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      assert.equal((await target.tableStats()).tables.reduce((n, t2) => n + t2.rows, 0), 0);
      // On SQLite lg_items_fts indexes lg_items' own column (external content): an import rebuilds it,
      // whatever it holds. PostgreSQL's search vectors are generated columns: nothing to rebuild.
      const rebuilt = backend.path === POSTGRES ? [] : ['lg_items_fts'];
      assert.deepEqual(await target.importJsonl([text]), { tables: (await target.tableStats()).tables.length, rows: 1, rebuilt, skipped: [] });
    });

    test('migrations lists what the file recorded', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const applied = await store.migrations();
      assert.deepEqual(applied.map((m) => m.version), applied.map((_, i) => i + 1));
      assert.equal(applied[0]!.name, 'runs');
      assert.ok(applied[0]!.appliedAt instanceof Date);
      assert.match(applied[0]!.checksum, /^[0-9a-f]{64}$/);
    });
  });
}

test('exact values: integers past 2^53, integral reals, -0 and blobs keep their SQLite type', () => {
  const cells = [0n, -5n, 2n ** 62n, -(2n ** 63n), 3, 3.5, -0, Number.POSITIVE_INFINITY, 'text', null, new Uint8Array([0, 255])];
  const encoded = JSON.parse(JSON.stringify(cells.map(encodeCell)));
  assert.deepEqual(encoded, [0, -5, { $i: '4611686018427387904' }, { $i: '-9223372036854775808' }, { $r: 3 }, 3.5, { $r: '-0' }, { $r: 'Infinity' }, 'text', null, { $b: 'AP8=' }]);
  const decoded = encoded.map(decodeCell);
  assert.deepEqual(decoded, [0n, -5n, 2n ** 62n, -(2n ** 63n), 3, 3.5, -0, Number.POSITIVE_INFINITY, 'text', null, new Uint8Array([0, 255])]);
  assert.ok(Object.is(decoded[6], -0));
  assert.throws(() => decodeCell({ $x: 1 }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
  assert.throws(() => decodeCell([1]), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
});

test('an integral real stays real through export and import', async (t) => {
  const store = await tempStore(t);
  await store.runs.saveState('real', { ...run('completed', new Date()), memoryUsageMb: 3 });
  const text = await exportText(store);
  assert.match(text, /\{"\$r":3\}/);
  const target = await tempStore(t);
  await target.importJsonl([text]);
  const [row] = await target.query('SELECT typeof(memory_usage_mb) AS t, memory_usage_mb AS m FROM workflow_state');
  assert.deepEqual(row, { t: 'real', m: 3 });
});

describe('admin on postgres only', () => {
  /** A store on its own schema, and a plain client on that schema for what no store would do. */
  async function storeWithClient(t: TestContext) {
    const where = await tempLocation(t, POSTGRES);
    const store = await openStore({ ...where, readers: 1 });
    cleanup(t, () => store.close());
    const client = new pg.Client({ connectionString: where.path });
    await client.connect();
    cleanup(t, () => client.end());
    await client.query(`SET search_path = "${where.postgres!.schema!}"`);
    return { store, client, schema: where.postgres!.schema! };
  }

  test('checkIntegrity finds an index left invalid by a failed CREATE INDEX CONCURRENTLY', async (t) => {
    const { store, client } = await storeWithClient(t);
    await store.runs.saveState('r1', run('completed', new Date()));
    await store.runs.saveState('r2', run('completed', new Date()));
    assert.deepEqual(await store.checkIntegrity(), { ok: true, messages: ['ok'] });
    // Two runs share a status: the unique index fails, and stays behind invalid.
    await assert.rejects(client.query('CREATE UNIQUE INDEX CONCURRENTLY one_per_status ON workflow_state (status)'));
    const result = await store.checkIntegrity();
    assert.equal(result.ok, false);
    assert.equal(result.messages.length, 1);
    assert.match(result.messages[0]!, /one_per_status/);
    await client.query('DROP INDEX one_per_status');
    assert.deepEqual(await store.checkIntegrity(), { ok: true, messages: ['ok'] });
  });

  test('checkIntegrity runs amcheck when the database has it: an index that lost rows is found', { skip: !REAL_POSTGRES_URL && 'amcheck needs the server' }, async (t) => {
    const { store, client, schema } = await storeWithClient(t);
    const installed = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'");
    // In the store's schema, so that dropping the schema after the test removes it again.
    if (installed.rowCount === 0) await client.query(`CREATE EXTENSION amcheck SCHEMA "${schema}"`);
    for (let i = 0; i < 50; i++) void store.runs.saveState(`r${i}`, { ...run('completed', new Date()), totalSteps: i });
    await store.runs.saveState('last', run('running', new Date()));
    assert.deepEqual(await store.checkIntegrity(), { ok: true, messages: ['ok'] });
    // An index over a function that claims to be immutable and is not: once it changes, the
    // index no longer holds the rows' entries, which only amcheck's heapallindexed sees.
    await client.query('CREATE TABLE knob (v integer)');
    await client.query('INSERT INTO knob VALUES (0)');
    await client.query(`CREATE FUNCTION shifted(x bigint) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS 'BEGIN RETURN x + (SELECT v FROM knob); END'`);
    await client.query('CREATE INDEX shifted_steps ON workflow_state (shifted(total_steps))');
    await client.query('UPDATE knob SET v = 1000');
    const result = await store.checkIntegrity();
    assert.equal(result.ok, false);
    assert.ok(result.messages.some((m) => m.startsWith('index shifted_steps:')), result.messages.join('\n'));
  });

  test('backup and vacuumInto write a SQLite file that opens as the same store', async (t) => {
    const { store } = await storeWithClient(t);
    await store.runs.saveState('keep', run('running', new Date('2024-01-02T03:04:05.678Z'), { deep: { list: [1, 2n, new Date(5)] } }));
    await store.dag.saveSnapshot('dag', new Uint8Array(40_000).fill(3));
    const dir = tempDir(t);
    const { pages } = await store.backup(join(dir, 'b.db'));
    await store.vacuumInto(join(dir, 'v.db'));
    assert.deepEqual(readdirSync(dir).sort(), ['b.db', 'v.db'], 'no partial or WAL file is left');
    for (const file of ['b.db', 'v.db']) {
      const copy = await openStore({ path: join(dir, file), readers: 1 });
      cleanup(t, () => copy.close());
      assert.equal(copy.backend, 'sqlite');
      assert.deepEqual(await copy.runs.loadState('keep'), await store.runs.loadState('keep'));
      assert.deepEqual(await copy.dag.loadLatestSnapshot('dag'), new Uint8Array(40_000).fill(3));
      if (file === 'b.db') assert.equal((await copy.tableStats()).pageCount, pages);
    }
  });

  test('an import restarts identity sequences past the ids it brought', async (t) => {
    const { store } = await storeWithClient(t);
    for (let i = 1; i <= 3; i++) await store.dag.saveSnapshot('dag', new Uint8Array([i]));
    const text = await exportText(store);
    const { store: target } = await storeWithClient(t);
    await target.importJsonl([text]);
    // A new snapshot takes the next id, not one the import already used (which would be FLOWSTORE_CONFLICT).
    await target.dag.saveSnapshot('dag', new Uint8Array([4]));
    assert.deepEqual(await target.dag.loadLatestSnapshot('dag'), new Uint8Array([4]));
    assert.deepEqual((await target.query('SELECT id FROM snapshots ORDER BY id')).map((r) => r.id), [1, 2, 3, 4]);
  });

  test('a failed backup leaves no file behind', async (t) => {
    const { store } = await storeWithClient(t);
    await store.runs.saveState('keep', run('running', new Date()));
    const dir = tempDir(t);
    // The copy cannot be created: its directory does not exist.
    await assert.rejects(store.backup(join(dir, 'missing', 'b.db')));
    assert.deepEqual(readdirSync(dir), []);
  });
});
