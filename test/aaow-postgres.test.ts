/**
 * What only the PostgreSQL adapter has: its URL forms (Prisma's `?schema=`), the query
 * plans of its lists, and text that PostgreSQL cannot store. On the server in
 * FLOWSTORE_TEST_POSTGRES_URL, else on PGlite.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import pg from 'pg';
import { FlowstoreStorageAdapter, SQLiteStorageAdapter } from '../src/aaow/index.ts';
import { listSql } from '../src/domains/aaow/postgres.ts';
import { LISTS } from '../src/domains/aaow/statements.ts';
import { postgresPlace, session, tempAdapter, workflow } from './aaow-fixtures.ts';
import { cleanup, tempDir } from './helpers.ts';

/** A client on the adapter's schema, closed after the test. */
async function client(t: TestContext, url: string): Promise<pg.Client> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema')!;
  parsed.searchParams.delete('schema');
  const c = new pg.Client({ connectionString: parsed.toString() });
  await c.connect();
  cleanup(t, () => c.end());
  await c.query(`SET search_path TO "${schema}"`);
  return c;
}

describe('FlowstoreStorageAdapter on PostgreSQL', () => {
  test('a postgres:// or postgresql:// URL, { url } and DATABASE_URL open the schema its ?schema= names', async (t) => {
    const url = await postgresPlace();
    const first = await tempAdapter(t, url);
    await first.saveWorkflow(workflow('wf-1'));
    await first.close();
    const byUrl = new FlowstoreStorageAdapter({ url: url.replace(/^postgres:/, 'postgresql:'), readers: 1, postgres: { poolSize: 2 } });
    cleanup(t, () => byUrl.close());
    assert.equal((await byUrl.getWorkflow('wf-1'))?.id, 'wf-1');
    await byUrl.close();
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = url;
    let byEnv: SQLiteStorageAdapter;
    try {
      byEnv = new SQLiteStorageAdapter({ readers: 1, postgres: { poolSize: 2 } });
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
    cleanup(t, () => byEnv.close());
    assert.equal((await byEnv.getWorkflow('wf-1'))?.id, 'wf-1');
    // The tables are in that schema, under the names the SQLite file gives them.
    const { rows } = await (await client(t, url)).query(`SELECT to_regclass('aaow_sessions') IS NOT NULL AS found`);
    assert.equal(rows[0].found, true);
  });

  test('the lists read an index in their order, with no sort', async (t) => {
    const url = await postgresPlace();
    await (await tempAdapter(t, url)).close();
    const c = await client(t, url);
    // Empty tables: the planner would rightly scan and sort them. With these off, a Sort
    // node stays only where no index gives the order.
    await c.query('SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off');
    const plan = async (sql: string, values: unknown[]) => JSON.stringify((await c.query(`EXPLAIN (FORMAT JSON) ${sql}`, values)).rows[0]['QUERY PLAN']);
    const pending = await plan(listSql(LISTS.pendingApprovals, []), [null, 0]);
    assert.match(pending, /"Index Name":"approval_requests_status_idx"/);
    assert.doesNotMatch(pending, /"Node Type":"(Incremental )?Sort"/);
    const byStatus = await plan(listSql(LISTS.sessions, [{ field: LISTS.sessions.fields.status, isNull: false }]), ['running', null, 0]);
    assert.match(byStatus, /"Index Name":"aaow_sessions_status_idx"/);
    assert.doesNotMatch(byStatus, /"Node Type":"(Incremental )?Sort"/);
    assert.match(await plan(listSql(LISTS.llmExecutions, []), ['s', null, 0]), /"Index Name":"llm_executions_sessionId_idx"/);
    assert.match(await plan(listSql(LISTS.streamEvents, []), ['s', null, 0]), /"Index Name":"stream_events_streamId_idx"/);
  });

  test('a NUL in a text field rejects with FLOWSTORE_INVALID_ARGUMENT and writes nothing; SQLite stores it', async (t) => {
    const file = await tempAdapter(t, `file:${join(tempDir(t), 'nul.db')}`);
    await file.saveWorkflow(workflow('wf-1'));
    await file.createSession(session('s\u00001', { workflowId: 'wf-1' }));
    assert.equal((await file.getSession('s\u00001'))?.id, 's\u00001');

    const adapter = await tempAdapter(t, await postgresPlace());
    await adapter.saveWorkflow(workflow('wf-1'));
    await assert.rejects(adapter.createSession(session('s\u00001', { workflowId: 'wf-1' })), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    await assert.rejects(adapter.updateWorkflow('wf-1', { name: 'a\u0000b' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    assert.deepEqual(await adapter.listSessions(), []);
    assert.equal((await adapter.getWorkflow('wf-1'))?.name, 'Test');
    // Inside a JSON value it is an escape like any other.
    await adapter.saveWorkflow(workflow('wf-2', { metadata: { note: 'a\u0000b' } }));
    assert.deepEqual((await adapter.getWorkflow('wf-2'))?.metadata, { note: 'a\u0000b' });
  });
});
