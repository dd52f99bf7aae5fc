/**
 * What only the PostgreSQL backend has: a server to reach, connections to lose, other
 * hosts writing the same database, row locks held elsewhere. The contract suites of
 * each domain run on PostgreSQL too; this file is the backend's own. The cases that need
 * a real server (several processes, locks held by another session) run when
 * FLOWSTORE_TEST_POSTGRES_URL names one; the restart runs on a private cluster.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { openStore, type Store } from '../src/index.ts';
import { cleanup, POSTGRES, tempLocation, tempStore, waitFor } from './helpers.ts';
import type { WriterClient } from '../src/engine/writer-client.ts';
import { REAL_POSTGRES_URL, dropSchema, newSchemaName } from './helpers-postgres.ts';
import { privateCluster, privateClusterUnavailable } from './helpers-pgcluster.ts';
import { collect, killWriterAfter, run } from './helpers-process.ts';
import { commitCutter } from './helpers-proxy.ts';
import { postgresUrl } from './helpers-postgres.ts';

const state = (i: number, status: 'running' | 'completed' = 'running') => ({
  pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: i, pipelineContext: { i }, lastStepOutput: null, status,
});
const needsServer = REAL_POSTGRES_URL ? false : 'needs a real PostgreSQL server: set FLOWSTORE_TEST_POSTGRES_URL';
const clusterSkip = privateClusterUnavailable() ?? false;

async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL backend', () => {
  test('an unreachable server fails openStore with FLOWSTORE_CONNECTION naming host and port, within the connect timeout', async () => {
    const started = Date.now();
    await assert.rejects(openStore({ path: 'postgres://nobody@127.0.0.1:1/none', postgres: { connectTimeoutMs: 1000 } }),
      (error: { code: string; details: { host: string; port: number } }) => {
        assert.equal(error.code, 'FLOWSTORE_CONNECTION');
        assert.deepEqual([error.details.host, error.details.port], ['127.0.0.1', 1]);
        return true;
      });
    assert.ok(Date.now() - started < 10_000);
  });

  test('postgres:// and postgresql:// URLs, FLOWSTORE_DB and a bad URL', async (t) => {
    const where = await tempLocation(t, POSTGRES);
    const url = where.path!.replace(/^postgres:/, 'postgresql:');
    const store = await openStore({ ...where, path: url, readers: 1 });
    cleanup(t, () => store.close());
    assert.equal(store.backend, 'postgres');
    await store.runs.saveState('r', state(1));
    assert.equal((await store.runs.loadState('r'))?.currentStepIndex, 1);
    // FLOWSTORE_DB, then DATABASE_URL, may hold the URL.
    for (const name of ['FLOWSTORE_DB', 'DATABASE_URL'] as const) {
      const saved = { FLOWSTORE_DB: process.env.FLOWSTORE_DB, DATABASE_URL: process.env.DATABASE_URL };
      delete process.env.FLOWSTORE_DB;
      process.env[name] = where.path!;
      try {
        const byEnv = await openStore({ readers: 1, postgres: where.postgres });
        assert.equal(byEnv.backend, 'postgres');
        assert.equal((await byEnv.runs.loadState('r'))?.currentStepIndex, 1);
        await byEnv.close();
      } finally {
        for (const [key, value] of Object.entries(saved)) if (value === undefined) delete process.env[key]; else process.env[key] = value;
      }
    }
    await assert.rejects(openStore({ path: 'postgres://' }), { code: 'FLOWSTORE_INVALID_OPTIONS' });
    await assert.rejects(openStore({ path: where.path!, postgres: { schema: 'bad-name' } }), { code: 'FLOWSTORE_INVALID_OPTIONS' });
    await assert.rejects(openStore({ path: where.path!, postgres: { poolSize: 0 } }), { code: 'FLOWSTORE_INVALID_OPTIONS' });
    await assert.rejects(openStore({ path: where.path!, postgres: { schemaName: 'x' } as never }), { code: 'FLOWSTORE_INVALID_OPTIONS' });
  });

  test('a password never shows in store.path', async (t) => {
    const where = await tempLocation(t, POSTGRES);
    const url = new URL(where.path!);
    url.password = 'secret';
    // PGlite and a trust server accept any password.
    const store = await openStore({ ...where, path: url.toString(), readers: 1 });
    cleanup(t, () => store.close());
    assert.ok(!store.path.includes('secret'));
  });

  test('COMMIT sent but its answer lost: the batch rejects with FLOWSTORE_COMMIT_UNKNOWN, never as committed; the store goes on', async (t) => {
    const where = await tempLocation(t, POSTGRES);
    const proxy = await commitCutter(await postgresUrl());
    cleanup(t, () => proxy.close());
    const store = await openStore({ ...where, path: proxy.url, readers: 1 });
    cleanup(t, () => store.close());
    await store.runs.saveState('before', state(1));
    proxy.cutAfterNextCommit();
    await assert.rejects(store.runs.saveState('x', state(2)), { code: 'FLOWSTORE_COMMIT_UNKNOWN' });
    // A new connection, and the store goes on.
    await store.runs.saveState('after', state(4));
    assert.equal((await store.runs.loadState('after'))?.currentStepIndex, 4);
  });

  test('reads pipelined on a reader connection: failing queries, read transactions and an export beside them change none of their answers', async (t) => {
    const store = await tempStore(t, { path: POSTGRES, readers: 1, postgres: { poolSize: 2 } });
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.runs.saveState(`r${i}`, state(i))));
    const lines: string[] = [];
    const [loads, bad, good, execution, exported] = await Promise.all([
      Promise.all(Array.from({ length: 600 }, (_, i) => store.runs.loadState(`r${i % 200}`))),
      Promise.allSettled(Array.from({ length: 20 }, () => store.query('SELECT nope FROM workflow_state'))),
      Promise.all(Array.from({ length: 20 }, (_, i) => store.query('SELECT current_step_index FROM workflow_state WHERE run_id = $1', [`r${i}`]))),
      Promise.all(Array.from({ length: 20 }, (_, i) => store.aaow.getExecutionState(`missing_${i}`))),
      store.exportJsonl((text) => { lines.push(text); }),
    ]);
    assert.deepEqual(loads.map((s) => s?.currentStepIndex), Array.from({ length: 600 }, (_, i) => i % 200));
    assert.deepEqual(bad.map((r) => r.status === 'rejected' && (r.reason as { code: string }).code), Array(20).fill('FLOWSTORE_INVALID_ARGUMENT'));
    assert.deepEqual(good.map((rows) => rows[0]?.current_step_index), Array.from({ length: 20 }, (_, i) => i));
    assert.deepEqual(execution, Array(20).fill(null));
    assert.ok(exported.rows >= 200 && lines.join('').includes('"r199"'));
  });

  test('saving a run again keeps its row on its page (a HOT update, no index touched), even once the table\'s pages are full', async (t) => {
    const store = await tempStore(t, { path: POSTGRES });
    await Promise.all(Array.from({ length: 400 }, (_, i) => store.runs.saveState(`r${i}`, state(i))));
    const page = async (runId: string) => {
      const [row] = await store.query('SELECT ctid::text AS ctid FROM workflow_state WHERE run_id = $1', [runId]);
      return /^\((\d+),/.exec(String(row?.ctid))![1];
    };
    const last = await page('r399');
    assert.notEqual(last, '0', 'the runs fill more than one page');
    assert.equal(await page('r0'), '0');
    for (let step = 1; step <= 5; step++) await store.runs.saveState('r0', state(step));
    assert.equal(await page('r0'), '0', 'the new versions stayed beside the old one, not at the table\'s end');
    assert.equal((await store.runs.loadState('r0'))?.currentStepIndex, 5);
  });

  test('a connection the server ends is replaced: the next writes and reads just work', { skip: needsServer }, async (t) => {
    const applicationName = `flowstore_${newSchemaName()}`;
    const store = await tempStore(t, { path: POSTGRES, postgres: { applicationName } });
    await store.runs.saveState('before', state(1));
    await store.runs.loadState('before');
    const ended = await sql(REAL_POSTGRES_URL!, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    assert.ok(ended.rowCount! >= 2, 'the writer and a reader were connected');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await store.runs.saveState('after', state(2));
    assert.equal((await store.runs.loadState('after'))?.currentStepIndex, 2);
    assert.equal((await store.runs.loadState('before'))?.currentStepIndex, 1);
  });

  test("the writer relays other sessions' notifications, not its own: the store's workers were woken as its enqueue was sent", { skip: needsServer }, async (t) => {
    const where = await tempLocation(t, POSTGRES);
    const [ours, theirs] = [await openStore(where), await openStore(where)];
    cleanup(t, () => Promise.all([ours.close(), theirs.close()]));
    const writer = (ours as unknown as Record<symbol, { writer: WriterClient }>)[Symbol.for('flowstore.internals')]!.writer;
    const payloads: string[] = [];
    writer.onEvents((topic, payload) => payloads.push(`${topic}:${payload}`));
    await writer.listen('queue');
    await ours.queue.enqueue('ours', { n: 1 });
    await theirs.queue.enqueue('theirs', { n: 2 });
    // The server delivers a channel's notifications in commit order: had ours been relayed, it would be first.
    await waitFor(() => payloads.length > 0, "the other store's notification");
    assert.deepEqual(payloads, ['queue:theirs']);
  });

  test('a row lock held by another session past busyTimeoutMs gives FLOWSTORE_BUSY, writes nothing, and the rest of the batch commits', { skip: needsServer }, async (t) => {
    const where = await tempLocation(t, POSTGRES);
    const store = await openStore({ ...where, readers: 1, busyTimeoutMs: 500 });
    cleanup(t, () => store.close());
    const schema = where.postgres!.schema!;
    await store.runs.saveState('locked', state(1));
    const holder = new pg.Client({ connectionString: REAL_POSTGRES_URL });
    await holder.connect();
    cleanup(t, () => holder.end());
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM "${schema}".workflow_state WHERE run_id = 'locked' FOR UPDATE`);
    const [blocked, free] = await Promise.allSettled([store.runs.saveState('locked', state(2)), store.runs.saveState('free', state(3))]);
    await holder.query('ROLLBACK');
    assert.equal(blocked.status, 'rejected');
    assert.equal((blocked as PromiseRejectedResult).reason.code, 'FLOWSTORE_BUSY');
    assert.equal(free.status, 'fulfilled');
    assert.equal((await store.runs.loadState('locked'))?.currentStepIndex, 1);
    assert.equal((await store.runs.loadState('free'))?.currentStepIndex, 3);
  });

  test('a deadlock with another session is retried: every write of the store is stored', { skip: needsServer }, async (t) => {
    const where = await tempLocation(t, POSTGRES);
    const store = await openStore({ ...where, readers: 1 });
    cleanup(t, () => store.close());
    const schema = where.postgres!.schema!;
    await Promise.all([store.runs.saveState('a', state(0)), store.runs.saveState('b', state(0))]);
    const other = new pg.Client({ connectionString: REAL_POSTGRES_URL });
    await other.connect();
    cleanup(t, () => other.end());
    await other.query('BEGIN');
    await other.query(`UPDATE "${schema}".workflow_state SET error_message = 'other' WHERE run_id = 'b'`);
    // Four writes go as two batches of two: the first locks a, then waits for b, which the
    // other session holds; the other session then waits for a: a deadlock. Whichever side
    // PostgreSQL aborts, the store's writes end up stored (run again if it was the store).
    const writes = Promise.all(['a', 'b', 'c', 'd'].map((id) => store.runs.saveState(id, state(1))));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const otherSide = other.query(`UPDATE "${schema}".workflow_state SET error_message = 'other' WHERE run_id = 'a'`)
      .then(() => other.query('COMMIT'), () => other.query('ROLLBACK'));
    await Promise.all([writes, otherSide]);
    for (const id of ['a', 'b', 'c', 'd']) assert.equal((await store.runs.loadState(id))?.currentStepIndex, 1);
  });

  test('ten stores opening one empty database at once apply one set of migrations', { skip: needsServer }, async (t) => {
    const schema = newSchemaName();
    cleanup(t, () => dropSchema(REAL_POSTGRES_URL!, schema));
    const stores = await Promise.all(Array.from({ length: 10 }, () => openStore({ path: REAL_POSTGRES_URL!, readers: 1, postgres: { schema, poolSize: 1 } })));
    try {
      const recorded = await sql(REAL_POSTGRES_URL!, `SELECT version, count(*)::int AS n FROM "${schema}".flowstore_migrations GROUP BY version ORDER BY version`);
      assert.ok(recorded.rows.length > 0);
      for (const row of recorded.rows) assert.equal(row.n, 1);
      // Every store works on the one schema.
      await Promise.all(stores.map((store, i) => store.runs.saveState(`from_${i}`, state(i))));
      assert.equal((await sql(REAL_POSTGRES_URL!, `SELECT count(*)::int AS n FROM "${schema}".workflow_state`)).rows[0].n, 10);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  test('three processes writing 5,000 runs each at once store 15,000', { skip: needsServer }, async (t) => {
    const schema = newSchemaName();
    cleanup(t, () => dropSchema(REAL_POSTGRES_URL!, schema));
    // One store creates the schema first, so that the three race for rows, not for the migration.
    await (await openStore({ path: REAL_POSTGRES_URL!, readers: 1, postgres: { schema } })).close();
    const results = await Promise.all(['h1', 'h2', 'h3'].map((host) => collect(run('writer-process.ts', [REAL_POSTGRES_URL!, host, '5000', schema]))));
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.lines.at(-1), 'done');
    }
    const counted = await sql(REAL_POSTGRES_URL!, `SELECT pipeline_id, count(*)::int AS n FROM "${schema}".workflow_state GROUP BY pipeline_id ORDER BY pipeline_id`);
    assert.deepEqual(counted.rows, [{ pipeline_id: 'h1', n: 5000 }, { pipeline_id: 'h2', n: 5000 }, { pipeline_id: 'h3', n: 5000 }]);
  });

  test('SIGKILL of a process under 64-way load loses no acknowledged write', { skip: needsServer }, async (t) => {
    const schema = newSchemaName();
    cleanup(t, () => dropSchema(REAL_POSTGRES_URL!, schema));
    const { acknowledged, signal } = await killWriterAfter([REAL_POSTGRES_URL!, 'killed', '100000', schema], 2000);
    assert.equal(signal, 'SIGKILL');
    const stored = new Set((await sql(REAL_POSTGRES_URL!, `SELECT run_id FROM "${schema}".workflow_state`)).rows.map((r) => r.run_id as string));
    assert.ok(acknowledged.length >= 2000);
    for (const runId of acknowledged) assert.ok(stored.has(runId), `${runId} was acknowledged but is missing`);
  });
});

describe('PostgreSQL server restarts', { skip: clusterSkip }, () => {
  test('under load, every write is acknowledged and stored or rejected with a code; the store goes on without being reopened', async (t) => {
    const cluster = await privateCluster();
    cleanup(t, () => cluster.remove());
    const store: Store = await openStore({ path: cluster.url, readers: 2, postgres: { connectTimeoutMs: 20_000 } });
    cleanup(t, () => store.close());
    const outcomes: { runId: string; ok: boolean; code?: string }[] = [];
    let next = 0;
    let stop = false;
    const lane = async () => {
      while (!stop) {
        const runId = `r_${next++}`;
        try {
          await store.runs.saveState(runId, state(next));
          outcomes.push({ runId, ok: true });
        } catch (error) {
          outcomes.push({ runId, ok: false, code: (error as { code: string }).code });
        }
      }
    };
    const lanes = Array.from({ length: 64 }, lane);
    await new Promise((resolve) => setTimeout(resolve, 500));
    cluster.restart();
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await Promise.all(lanes);
    const stored = new Set((await sql(cluster.url, 'SELECT run_id FROM flowstore.workflow_state')).rows.map((r) => r.run_id as string));
    const acknowledged = outcomes.filter((o) => o.ok);
    assert.ok(acknowledged.length > 0);
    for (const o of acknowledged) assert.ok(stored.has(o.runId), `${o.runId} was acknowledged but is missing`);
    for (const o of outcomes.filter((x) => !x.ok)) assert.ok(['FLOWSTORE_CONNECTION', 'FLOWSTORE_COMMIT_UNKNOWN'].includes(o.code!), o.code);
    // The store goes on.
    await store.runs.saveState('after', state(7));
    assert.equal((await store.runs.loadState('after'))?.currentStepIndex, 7);
  });

  test('a stopped server rejects writes with FLOWSTORE_CONNECTION within the connect timeout; started again, the store goes on', async (t) => {
    const cluster = await privateCluster();
    cleanup(t, () => cluster.remove());
    const store = await openStore({ path: cluster.url, readers: 1, postgres: { connectTimeoutMs: 1500 } });
    cleanup(t, () => store.close());
    await store.runs.saveState('before', state(1));
    cluster.stop();
    const started = Date.now();
    await assert.rejects(store.runs.saveState('down', state(2)), { code: 'FLOWSTORE_CONNECTION' });
    await assert.rejects(store.runs.loadState('before'), { code: 'FLOWSTORE_CONNECTION' });
    assert.ok(Date.now() - started < 15_000);
    cluster.start();
    await store.runs.saveState('after', state(3));
    assert.equal((await store.runs.loadState('before'))?.currentStepIndex, 1);
    assert.equal(await store.runs.loadState('down'), null);
  });
});
