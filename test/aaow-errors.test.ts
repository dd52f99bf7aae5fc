/** The aaow adapter beyond aaow's own tests: coded errors, cascades, filters, constructor forms, transactions. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowstoreStorageAdapter, SQLiteStorageAdapter } from '../src/aaow/index.ts';
import { listSql } from '../src/domains/aaow/sqlite.ts';
import { LISTS } from '../src/domains/aaow/statements.ts';
import { AAOW_BACKENDS, fresh, mockWorkflow, session, shared, tempAdapter, withSession, workflow } from './aaow-fixtures.ts';
import { cleanup, tempDir } from './helpers.ts';

const approval = (id: string, sessionId: string, extra: Record<string, unknown> = {}) => ({
  id, sessionId, nodeId: 'node-1', type: 'human_review' as const, status: 'pending' as const, context: { description: 'review' }, createdAt: new Date(), ...extra,
});

for (const backend of AAOW_BACKENDS) {
  describe(`SQLiteStorageAdapter errors and guarantees on ${backend.name}`, () => {
    test('unknown ids: updates, deletes and node states reject with FLOWSTORE_NOT_FOUND', async (t) => {
      const { adapter, u } = await shared(t, backend);
      await assert.rejects(adapter.updateSession(u('nope'), { status: 'completed' }), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(adapter.updateWorkflow(u('nope'), { version: '2' }), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(adapter.deleteWorkflow(u('nope')), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(adapter.deleteSession(u('nope')), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(adapter.updateBudgetPool(u('nope'), { usedBudget: 1 }), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(adapter.updateApprovalRequest(u('nope'), { status: 'expired' }), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(adapter.approveRequest(u('nope'), 'me'), { code: 'FLOWSTORE_NOT_FOUND' });
      await withSession(adapter, u);
      // A session without execution state has no node to update.
      await assert.rejects(adapter.updateNodeState(u('session-1'), 'n1', { nodeId: 'n1', status: 'running' }), { code: 'FLOWSTORE_NOT_FOUND' });
      assert.equal(await adapter.getExecutionState(u('session-1')), null);
      // Children of a missing parent name the parent as not found.
      await assert.rejects(adapter.createSession(session(u('s2'), { workflowId: u('ghost') })), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(adapter.saveLLMExecution(u('ghost'), 'n', { id: u('e'), timestamp: new Date(), success: true }), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(adapter.logToolCall({ id: u('tc'), executionId: u('ghost'), toolCallId: 'c', toolName: 't', args: {}, timestamp: new Date() }), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(adapter.createApprovalRequest(approval(u('a'), u('ghost'))), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(adapter.saveExecutionState({ sessionId: u('ghost'), status: 'running', nodeStates: {} }), { code: 'FLOWSTORE_NOT_FOUND' });
      assert.equal(await adapter.getSession(u('s2')), null);
    });

    test('a taken id rejects with FLOWSTORE_CONFLICT and changes nothing', async (t) => {
      const { adapter, u } = await shared(t, backend);
      await adapter.saveWorkflow(workflow(u('wf-1'), { name: 'first' }));
      await assert.rejects(adapter.saveWorkflow(workflow(u('wf-1'), { name: 'second' })), { code: 'FLOWSTORE_CONFLICT' });
      assert.equal((await adapter.getWorkflow(u('wf-1')))?.name, 'first');
    });

    test('approve and reject record who, when and the note; only a pending request can be resolved', async (t) => {
      const { adapter, u } = await shared(t, backend);
      await withSession(adapter, u);
      await adapter.createApprovalRequest(approval(u('a1'), u('session-1')));
      await adapter.createApprovalRequest(approval(u('a2'), u('session-1')));
      const before = Date.now();
      await adapter.approveRequest(u('a1'), 'alice', 'ok');
      await adapter.rejectRequest(u('a2'), 'bob');
      const a1 = await adapter.getApprovalRequest(u('a1'));
      assert.equal(a1?.status, 'approved');
      assert.equal(a1?.resolvedBy, 'alice');
      assert.equal(a1?.resolutionNotes, 'ok');
      assert.ok(a1!.resolvedAt!.getTime() >= before - 1 && a1!.resolvedAt!.getTime() <= Date.now());
      const a2 = await adapter.getApprovalRequest(u('a2'));
      assert.equal(a2?.status, 'rejected');
      assert.equal(a2?.resolvedBy, 'bob');
      assert.equal('resolutionNotes' in a2!, false);
      await assert.rejects(adapter.approveRequest(u('a1'), 'carol'), { code: 'FLOWSTORE_CONFLICT' });
      await assert.rejects(adapter.approveRequest(u('a2'), 'carol'), { code: 'FLOWSTORE_CONFLICT' });
      await assert.rejects(adapter.rejectRequest(u('a1'), 'carol'), { code: 'FLOWSTORE_CONFLICT' });
      assert.equal((await adapter.getApprovalRequest(u('a1')))?.resolvedBy, 'alice');
    });

    test('deleteSession removes its execution state, node states, LLM executions, tool calls, approvals and stream events', async (t) => {
      const { adapter, u } = await shared(t, backend);
      await withSession(adapter, u);
      await adapter.createSession(session(u('session-2')));
      for (const s of [u('session-1'), u('session-2')]) {
        await adapter.saveExecutionState({ sessionId: s, status: 'running', nodeStates: { n1: { nodeId: 'n1', status: 'running' } } });
        await adapter.saveLLMExecution(s, 'n1', { id: `${s}-e`, timestamp: new Date(), success: true });
        await adapter.logToolCall({ id: `${s}-tc`, executionId: `${s}-e`, toolCallId: 'c', toolName: 't', args: {}, timestamp: new Date() });
        await adapter.createApprovalRequest(approval(`${s}-a`, s));
        await adapter.saveStreamEvent({ id: `${s}-ev`, streamId: `${s}-stream`, nodeId: 'n1', data: 1, timestamp: new Date(), sessionId: s });
      }
      await adapter.deleteSession(u('session-1'));
      const s1 = u('session-1');
      assert.equal(await adapter.getExecutionState(s1), null);
      assert.deepEqual(await adapter.getLLMExecutions(s1), []);
      assert.deepEqual(await adapter.getToolCalls(`${s1}-e`), []);
      assert.deepEqual(await adapter.getSessionToolCalls(s1), []);
      assert.equal(await adapter.getApprovalRequest(`${s1}-a`), null);
      assert.deepEqual(await adapter.getStreamEvents(`${s1}-stream`), []);
      // The other session keeps everything.
      const s2 = u('session-2');
      assert.equal(Object.keys((await adapter.getExecutionState(s2))!.nodeStates).length, 1);
      assert.equal((await adapter.getSessionToolCalls(s2)).length, 1);
      assert.equal((await adapter.listApprovalRequests(s2)).length, 1);
      assert.equal((await adapter.getStreamEvents(`${s2}-stream`)).length, 1);
    });

    test('deleteWorkflow keeps its sessions, with their snapshot and workflowId null (ON DELETE SET NULL)', async (t) => {
      const { adapter, u } = await shared(t, backend);
      await withSession(adapter, u);
      await adapter.deleteWorkflow(u('wf-1'));
      const kept = await adapter.getSession(u('session-1'));
      assert.ok(kept);
      assert.equal(kept.workflowId, null);
      assert.deepEqual(kept.workflowSnapshot, mockWorkflow);
    });

    test('values round-trip exactly: dates, falsy JSON values, absent optional fields', async (t) => {
      const { adapter, u } = await shared(t, backend);
      await withSession(adapter, u);
      const when = new Date('2024-05-06T07:08:09.123Z');
      await adapter.saveExecutionState({ sessionId: u('session-1'), status: 'paused', startedAt: when, metadata: { at: when, n: 2n }, nodeStates: {
        a: { nodeId: 'a', status: 'completed', input: 0, output: '', retryCount: 3, pendingApprovalId: 'p', error: 'e', startedAt: when, completedAt: when, metadata: { x: null } },
        b: { nodeId: 'b', status: 'pending', input: null, output: false },
      } });
      const state = await adapter.getExecutionState(u('session-1'));
      assert.deepEqual(state, { sessionId: u('session-1'), status: 'paused', startedAt: when, metadata: { at: when, n: 2n }, nodeStates: {
        a: { nodeId: 'a', status: 'completed', input: 0, output: '', retryCount: 3, pendingApprovalId: 'p', error: 'e', startedAt: when, completedAt: when, metadata: { x: null } },
        b: { nodeId: 'b', status: 'pending', input: null, output: false, retryCount: 0 },
      } });
      // A definition past the compression threshold is stored compressed and reads back equal.
      const big = { ...mockWorkflow, typedefs: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`T${i}`, { type: 'ref' as const, ref: `R${i}` }])) };
      await adapter.saveWorkflow(workflow(u('big'), { definition: big }));
      assert.deepEqual((await adapter.listWorkflows({ where: { id: u('big') } }))[0]?.definition, big);
      const pool = { id: u('p'), totalBudget: 10.5, usedBudget: 0, remainingBudget: 10.5, status: 'active' as const, createdAt: when };
      await adapter.createBudgetPool(pool);
      assert.deepEqual(await adapter.getBudgetPool(u('p')), pool);
    });

    test('QueryFilter: where, orderBy, limit, offset on every list; unknown or JSON fields reject', async (t) => {
      const { adapter, u } = await shared(t, backend);
      await withSession(adapter, u);
      const base = Date.parse('2024-01-01T00:00:00.000Z');
      for (let i = 0; i < 4; i++) {
        await adapter.saveLLMExecution(u('session-1'), `n${i % 2}`, { id: u(`e${i}`), timestamp: new Date(base + i * 1000), success: i !== 2, text: `t${i}` });
        await adapter.createApprovalRequest(approval(u(`a${i}`), u('session-1'), { createdAt: new Date(base + i), type: i % 2 ? 'budget_increase' : 'human_review' }));
      }
      assert.deepEqual((await adapter.getLLMExecutions(u('session-1'), { where: { success: false } })).map((e) => e.id), [u('e2')]);
      assert.deepEqual((await adapter.getLLMExecutions(u('session-1'), { orderBy: { field: 'timestamp', direction: 'desc' }, limit: 2, offset: 1 })).map((e) => e.id), [u('e2'), u('e1')]);
      assert.deepEqual((await adapter.getLLMExecutions(u('session-1'), { where: { timestamp: new Date(base + 3000) } })).map((e) => e.id), [u('e3')]);
      assert.deepEqual((await adapter.listApprovalRequests(u('session-1'), { where: { type: 'budget_increase' }, orderBy: { field: 'createdAt', direction: 'desc' } })).map((a) => a.id), [u('a3'), u('a1')]);
      assert.deepEqual((await adapter.listPendingApprovals({ where: { sessionId: u('session-1'), resolvedBy: null }, limit: 1 })).map((a) => a.id), [u('a0')]);
      assert.deepEqual((await adapter.listSessions({ where: { id: u('session-1') } })).map((s) => s.id), [u('session-1')]);
      await assert.rejects(adapter.listWorkflows({ where: { owner: 'x' } as never }),
        (e: { code: string; details: { field: string } }) => e.code === 'FLOWSTORE_INVALID_ARGUMENT' && e.details.field === 'filter.where.owner');
      await assert.rejects(adapter.listWorkflows({ where: { definition: mockWorkflow } }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(adapter.listSessions({ orderBy: { field: 'nope' as never, direction: 'asc' } }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(adapter.getLLMExecutions(u('session-1'), { where: { usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } } }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(adapter.getStreamEvents('s', { orderBy: { field: 'timestamp', direction: 'up' as never } }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(adapter.getSessionToolCalls(u('session-1'), { limit: -1 }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(adapter.updateSession(u('session-1'), { id: u('other') }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(adapter.createSession({ ...session(u('s9')), status: 'bogus' as never }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    });

    test('orderBy sorts as SQLite does: code-point order, NULLs first ascending and last descending, ties as written', async (t) => {
      const { adapter, u } = await shared(t, backend);
      await withSession(adapter, u);
      const createdAt = new Date('2024-02-03T04:05:06.789Z');
      // Ids in no sorted order, one createdAt: a tie comes back in the order the rows were written.
      const by = [['q', 'b'], ['c', undefined], ['x', 'B'], ['a', 'a'], ['m', 'é'], ['k', undefined]] as const;
      for (const [id, resolvedBy] of by) {
        await adapter.createApprovalRequest(approval(u(id), u('session-1'), { createdAt, ...(resolvedBy ? { resolvedBy } : {}) }));
      }
      const ids = async (direction?: 'asc' | 'desc') => (await adapter.listApprovalRequests(u('session-1'),
        direction ? { orderBy: { field: 'resolvedBy', direction } } : {})).map((a) => a.id.slice(a.id.indexOf(':') + 1));
      assert.deepEqual(await ids(), ['q', 'c', 'x', 'a', 'm', 'k']);
      assert.deepEqual(await ids('asc'), ['c', 'k', 'x', 'a', 'q', 'm']);
      assert.deepEqual(await ids('desc'), ['m', 'q', 'a', 'x', 'c', 'k']);
    });

    test('beginTransaction: commit keeps the writes, reads inside see them', async (t) => {
      const { adapter, u } = await fresh(t, backend);
      await adapter.saveWorkflow(workflow(u('wf-1')));
      const tx = await adapter.beginTransaction();
      await adapter.createSession(session(u('s1')));
      await adapter.updateSession(u('s1'), { status: 'completed' });
      assert.equal((await adapter.getSession(u('s1')))?.status, 'completed');
      await tx.commit();
      assert.equal((await adapter.getSession(u('s1')))?.status, 'completed');
      await assert.rejects(tx.commit(), { code: 'FLOWSTORE_CLOSED' });
      await assert.rejects(tx.rollback(), { code: 'FLOWSTORE_CLOSED' });
    });

    test('beginTransaction: rollback, or a failure halfway, leaves nothing', async (t) => {
      const { adapter, u } = await fresh(t, backend);
      await adapter.saveWorkflow(workflow(u('wf-1')));
      const tx = await adapter.beginTransaction();
      await adapter.createSession(session(u('s1')));
      await adapter.saveExecutionState({ sessionId: u('s1'), status: 'running', nodeStates: {} });
      await assert.rejects(adapter.createSession(session(u('s1'))), { code: 'FLOWSTORE_CONFLICT' });
      await adapter.deleteWorkflow(u('wf-1'));
      await tx.rollback();
      assert.equal(await adapter.getSession(u('s1')), null);
      assert.equal(await adapter.getExecutionState(u('s1')), null);
      assert.equal((await adapter.getWorkflow(u('wf-1')))?.id, u('wf-1'));
    });

    test('beginTransaction: one at a time, timeout rolls back, close rolls back', async (t) => {
      const { adapter, u } = await fresh(t, backend);
      const tx = await adapter.beginTransaction();
      await assert.rejects(adapter.beginTransaction(), { code: 'FLOWSTORE_CONFLICT' });
      await tx.rollback();

      const url = await backend.url(t);
      const slow = await tempAdapter(t, url, { transactionTimeoutMs: 100 });
      const late = await slow.beginTransaction();
      await slow.saveWorkflow(workflow(u('wf-late')));
      await sleep(300);
      // Past the timeout the calls fail until the transaction is ended; nothing escapes it.
      await assert.rejects(slow.saveWorkflow(workflow(u('wf-escape'))), (e: { code: string }) => ['FLOWSTORE_CLOSED', 'FLOWSTORE_TX_TIMEOUT'].includes(e.code));
      await assert.rejects(late.commit(), { code: 'FLOWSTORE_TX_TIMEOUT' });
      assert.equal(await slow.getWorkflow(u('wf-late')), null);
      assert.equal(await slow.getWorkflow(u('wf-escape')), null);

      const open = await slow.beginTransaction();
      await slow.saveWorkflow(workflow(u('wf-open')));
      await slow.close();
      await assert.rejects(open.commit(), { code: 'FLOWSTORE_CLOSED' });
      await slow.initialize();
      if (backend.persistent) assert.equal(await slow.getWorkflow(u('wf-open')), null);
    });
  });
}

describe('SQLiteStorageAdapter constructor forms and indexes', () => {
  test('{ filename }, a file: URL and DATABASE_URL open the same file', async (t) => {
    const file = join(tempDir(t), 'aaow.db');
    const first = await tempAdapter(t, file);
    await first.saveWorkflow(workflow('wf-1'));
    await first.close();
    const byUrl = new SQLiteStorageAdapter(`file:${file}`);
    cleanup(t, () => byUrl.close());
    assert.equal((await byUrl.getWorkflow('wf-1'))?.id, 'wf-1');
    await byUrl.close();
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = `file:${file}`;
    let byEnv: SQLiteStorageAdapter;
    try {
      byEnv = new SQLiteStorageAdapter();
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
    cleanup(t, () => byEnv.close());
    await byEnv.initialize();
    assert.equal((await byEnv.getWorkflow('wf-1'))?.id, 'wf-1');
  });

  test('a misspelled option rejects with FLOWSTORE_INVALID_OPTIONS', async () => {
    const adapter = new SQLiteStorageAdapter({ filename: ':memory:', reders: 1 } as never);
    await assert.rejects(adapter.initialize(), { code: 'FLOWSTORE_INVALID_OPTIONS' });
    await adapter.close();
  });

  test('FlowstoreStorageAdapter is SQLiteStorageAdapter; { url } opens what { filename } opens', async (t) => {
    assert.equal(FlowstoreStorageAdapter, SQLiteStorageAdapter);
    const file = join(tempDir(t), 'alias.db');
    const first = await tempAdapter(t, file);
    await first.saveWorkflow(workflow('wf-1'));
    await first.close();
    const byUrl = new FlowstoreStorageAdapter({ url: `file:${file}`, readers: 1 });
    cleanup(t, () => byUrl.close());
    assert.ok(byUrl instanceof SQLiteStorageAdapter);
    assert.equal((await byUrl.getWorkflow('wf-1'))?.id, 'wf-1');
  });

  test('url with filename, a bad ?schema=, or one that differs from postgres.schema reject at initialize, naming the field', async () => {
    const cases: [ConstructorParameters<typeof FlowstoreStorageAdapter>[0], string][] = [
      [{ url: ':memory:', filename: ':memory:' }, 'url'],
      ['postgres://app@127.0.0.1:1/db?schema=no-dashes', 'postgres.schema'],
      [{ url: 'postgresql://app@127.0.0.1:1/db?schema=a', postgres: { schema: 'b' } }, 'postgres.schema'],
    ];
    for (const [database, field] of cases) {
      const adapter = new FlowstoreStorageAdapter(database);
      await assert.rejects(adapter.initialize(), (e: { code: string; details: { field: string } }) => e.code === 'FLOWSTORE_INVALID_OPTIONS' && e.details.field === field);
      await adapter.close();
    }
  });

  test('listPendingApprovals, listSessions by status and per-session lists read an index', async (t) => {
    const file = join(tempDir(t), 'plan.db');
    const adapter = await tempAdapter(t, file);
    await adapter.close();
    const db = new DatabaseSync(file, { readOnly: true });
    cleanup(t, () => db.close());
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    const pending = plan(listSql(LISTS.pendingApprovals, []));
    assert.match(pending, /USING INDEX approval_requests_status_idx/);
    assert.doesNotMatch(pending, /TEMP B-TREE/);
    assert.match(plan(listSql(LISTS.sessions, [{ field: LISTS.sessions.fields.status, isNull: false }])), /USING INDEX aaow_sessions_status_idx/);
    assert.match(plan(listSql(LISTS.llmExecutions, [])), /USING INDEX llm_executions_sessionId_idx/);
    assert.match(plan(listSql(LISTS.streamEvents, [])), /USING INDEX stream_events_streamId_idx/);
  });
});
