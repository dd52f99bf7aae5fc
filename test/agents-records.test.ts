import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStore } from '../src/index.ts';
import { BACKENDS, tempDir } from './helpers.ts';
import { agent, freshPrefix, nowSeconds, suiteStore } from './agents-fixture.ts';

const event = (sessionId: string, content: string, extra: Record<string, unknown> = {}) => ({
  eventType: 'agent_completed_task', sessionId, actorType: 'agent', actorId: 'agent_001', content, ...extra,
});

for (const backend of BACKENDS) {
  describe(`store.agents events, tasks, sessions, migrations, transact on ${backend.name}`, () => {
    const store = suiteStore(backend.path);

    test('saveEvent round-trips every field; getEvents gives a session oldest first', async () => {
      const agents = store().agents;
      const session = freshPrefix('session');
      const id = await agents.saveEvent(event(session, 'second', { id: `${session}-e2`, timestamp: 200, metadata: { task_id: 'task_123' }, gitCommit: 'abc123' }));
      assert.equal(id, `${session}-e2`);
      const generated = await agents.saveEvent(event(session, 'first', { timestamp: 100 }));
      assert.match(generated, /^[0-9a-f-]{36}$/);
      const events = await agents.getEvents(session);
      assert.deepEqual(events.map((e) => e.content), ['first', 'second']);
      const [, second] = events;
      assert.deepEqual({ ...second, createdAt: 0 }, {
        id: `${session}-e2`, eventType: 'agent_completed_task', timestamp: 200, sessionId: session, actorType: 'agent',
        actorId: 'agent_001', content: 'second', metadata: { task_id: 'task_123' }, gitCommit: 'abc123', createdAt: 0,
      });
      assert.ok(second!.createdAt >= nowSeconds() - 5);
      assert.equal(events[0]!.metadata, null);
      assert.equal(events[0]!.gitCommit, null);
      assert.deepEqual(await agents.getEvents('no-such-session'), []);
      await assert.rejects(agents.saveEvent(event(session, 'dup', { id: `${session}-e2` })), { code: 'FLOWSTORE_CONFLICT' });
      await assert.rejects(agents.saveEvent({ ...event(session, 'x'), sessionId: '' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    });

    test('getEventsByType gives one type, newest first, with a limit', async () => {
      const agents = store().agents;
      const type = freshPrefix('type');
      for (const ts of [1, 3, 2]) await agents.saveEvent(event('s', `t${ts}`, { eventType: type, timestamp: ts }));
      assert.deepEqual((await agents.getEventsByType(type)).map((e) => e.timestamp), [3, 2, 1]);
      assert.deepEqual((await agents.getEventsByType(type, { limit: 1 })).map((e) => e.timestamp), [3]);
    });

    test('searchEvents finds words in content, case- and accent-insensitive, all words required', async () => {
      const agents = store().agents;
      const word = freshPrefix('zebra');
      const a = await agents.saveEvent(event('s', `Task completed successfully ${word}`));
      const b = await agents.saveEvent(event('s', `Café crème failed ${word}`));
      assert.deepEqual((await agents.searchEvents(word)).map((e) => e.id).sort(), [a, b].sort());
      assert.deepEqual((await agents.searchEvents(`TASK ${word}`)).map((e) => e.id), [a]);
      assert.deepEqual((await agents.searchEvents(`cafe CREME ${word}`)).map((e) => e.id), [b]);
      assert.deepEqual(await agents.searchEvents(`task failed ${word}`), []);
      assert.equal((await agents.searchEvents(word, { limit: 1 })).length, 1);
    });

    test('searchEvents takes user text as words: quotes, AND, *, parentheses never throw', async () => {
      const agents = store().agents;
      const word = freshPrefix('quux');
      const id = await agents.saveEvent(event('s', `said "hello" AND left (${word}) NEAR the door*`));
      for (const text of ['"', '""', 'AND', 'OR', 'NOT', '*', '(', ')', 'NEAR(', '^', 'content:', '-', '"unbalanced', 'a\u0000b', `${word}"`, `(${word}`, `${word}*`, `"${word}" AND`, '   ', '']) {
        const found = await agents.searchEvents(text);
        assert.ok(Array.isArray(found), text);
      }
      assert.deepEqual((await agents.searchEvents(`"hello" AND ${word}`)).map((e) => e.id), [id]);
      assert.deepEqual((await agents.searchEvents(`(${word})`)).map((e) => e.id), [id]);
      assert.deepEqual(await agents.searchEvents('"'), []);
    });

    test('tasks: save (upsert), get, list by status and assignee', async () => {
      const agents = store().agents;
      const who = freshPrefix('assignee');
      const id = await agents.saveTask({ title: 'Process batch', description: 'Process incoming data batch', status: 'in_progress', assignedTo: who, metadata: { batch_size: 1000 }, createdAt: 1_000, updatedAt: 1_000 });
      const task = await agents.getTask(id);
      assert.deepEqual(task, { id, title: 'Process batch', description: 'Process incoming data batch', status: 'in_progress', assignedTo: who, createdAt: 1_000, updatedAt: 1_000, metadata: { batch_size: 1000 } });
      await agents.saveTask({ id, title: 'Process batch', status: 'completed', assignedTo: who });
      const updated = await agents.getTask(id);
      assert.equal(updated?.status, 'completed');
      assert.equal(updated?.createdAt, 1_000, 'createdAt kept');
      assert.ok(updated!.updatedAt > 1_000);
      assert.equal(updated?.description, null);
      const other = await agents.saveTask({ title: 'Blocked one', status: 'blocked', assignedTo: who });
      await agents.saveTask({ title: 'Someone else', status: 'blocked' });
      assert.deepEqual((await agents.getTasks({ assignedTo: who })).map((t) => t.id), [other, id]);
      assert.deepEqual((await agents.getTasks({ assignedTo: who, status: 'blocked' })).map((t) => t.id), [other]);
      assert.ok((await agents.getTasks({ status: 'blocked' })).length >= 2);
      assert.ok((await agents.getTasks()).some((t) => t.id === id));
      assert.equal((await agents.getTasks({ limit: 1 })).length, 1);
      assert.equal(await agents.getTask('no-such-task'), null);
      for (const status of ['pending', 'in_progress', 'completed', 'failed', 'blocked', 'cancelled'] as const) {
        assert.equal((await agents.getTask(await agents.saveTask({ title: status, status })))?.status, status);
      }
      await assert.rejects(agents.saveTask({ title: 'x', status: 'done' as never }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(agents.getTasks({ status: 'nope' as never }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    });

    test('sessions: save, get, end, list by status and agent; ending an unknown one is FLOWSTORE_NOT_FOUND', async () => {
      const agents = store().agents;
      const who = freshPrefix('agent');
      const first = await agents.saveSession({ agentId: who, startedAt: 100, metadata: { host: 'a' } });
      const second = await agents.saveSession({ id: `${who}-s2`, agentId: who, startedAt: 200 });
      assert.equal(second, `${who}-s2`);
      const got = await agents.getSession(first);
      assert.deepEqual({ ...got, createdAt: 0 }, { id: first, agentId: who, startedAt: 100, endedAt: null, status: 'active', metadata: { host: 'a' }, createdAt: 0 });
      await agents.endSession(first, { status: 'failed', endedAt: 150 });
      assert.deepEqual([(await agents.getSession(first))?.status, (await agents.getSession(first))?.endedAt], ['failed', 150]);
      await agents.endSession(second);
      const ended = await agents.getSession(second);
      assert.equal(ended?.status, 'completed');
      assert.ok(ended!.endedAt! >= nowSeconds() - 5);
      assert.deepEqual((await agents.getSessions({ agentId: who })).map((s) => s.id), [second, first]);
      assert.deepEqual((await agents.getSessions({ agentId: who, status: 'failed' })).map((s) => s.id), [first]);
      assert.ok((await agents.getSessions({ status: 'completed' })).some((s) => s.id === second));
      assert.ok((await agents.getSessions()).some((s) => s.id === first));
      assert.equal(await agents.getSession('no-such-session'), null);
      await assert.rejects(agents.endSession('no-such-session'), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(agents.saveSession({ agentId: who, status: 'weird' as never }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    });

    test('getMigrationHistory lists every applied migration, all domains, in order', async () => {
      const history = await store().agents.getMigrationHistory();
      assert.deepEqual(history.map((m) => m.version), history.map((_, i) => i + 1));
      const mine = history.find((m) => m.name === 'agents');
      assert.ok(mine);
      assert.match(mine.description, /agent state store/);
      assert.ok(history.some((m) => m.name === 'runs'));
      for (const m of history) assert.ok(Number.isInteger(m.appliedAt) && Math.abs(m.appliedAt - nowSeconds()) < 600);
      const rows = await store().query('SELECT COUNT(*) AS n FROM flowstore_migrations');
      assert.equal(rows[0]!.n, history.length);
    });

    test('transact commits everything together, in the same view', async () => {
      const prefix = freshPrefix('tx');
      const agents = store().agents.withPrefix(prefix).withOptions({ compressStateData: true });
      const result = await agents.transact(async (tx) => {
        assert.equal(tx.prefix, prefix);
        await tx.saveAgentState(agent('a'));
        await tx.recordStateTransition('a', 'idle', 'running', 'in a transaction');
        assert.equal((await tx.loadAgentState('a'))?.status, 'running', 'reads inside see the writes');
        return 'Transaction completed';
      });
      assert.equal(result, 'Transaction completed');
      assert.equal((await agents.loadAgentState('a'))?.status, 'running');
      assert.equal((await agents.getStateHistory('a')).length, 1);
      const rows = await store().query('SELECT state_compressed FROM agent_states WHERE key = ?', [`${prefix}:a`]);
      assert.deepEqual(rows, [{ state_compressed: 1 }], 'the view keeps its options inside');
    });

    test('transact rolls everything back when fn throws', async () => {
      const agents = store().agents.withPrefix(freshPrefix('txr'));
      await assert.rejects(agents.transact(async (tx) => {
        await tx.saveAgentState(agent('a'));
        await tx.saveTask({ id: `${tx.prefix}-task`, title: 'rolled back' });
        throw Object.assign(new Error('boom'), { code: 'BOOM' });
      }), { code: 'BOOM' });
      assert.equal(await agents.loadAgentState('a'), null);
      assert.equal(await agents.getTask(`${agents.prefix}-task`), null);
      await assert.rejects(agents.transact(async (tx) => {
        await tx.saveAgentState(agent('b'));
        await tx.updateAgentStatus('ghost', 'x');
      }), { code: 'FLOWSTORE_NOT_FOUND' });
      assert.equal(await agents.loadAgentState('b'), null);
    });

    test('transact does not nest: inside a transaction it rejects with the engine\'s FLOWSTORE_CONFLICT', async () => {
      const agents = store().agents.withPrefix(freshPrefix('txn'));
      await assert.rejects(agents.transact((tx) => tx.transact(() => 1)), { code: 'FLOWSTORE_CONFLICT' });
      await assert.rejects(store().transaction((tx) => tx.agents.transact(() => 1)), { code: 'FLOWSTORE_CONFLICT' });
      await assert.rejects(store().transaction(async (tx) => {
        await tx.agents.withPrefix(agents.prefix).saveAgentState(agent('a'));
        await tx.agents.transact(() => 1);
      }), { code: 'FLOWSTORE_CONFLICT' });
      assert.equal(await agents.loadAgentState('a'), null, 'the outer transaction rolled back');
    });
  });
}

describe('store.agents full-text index stays in step with events', () => {
  test('updates and deletes made with SQL outside flowstore reach the index, and it survives VACUUM', async (t) => {
    const path = join(tempDir(t), 'fts.db');
    let store = await openStore({ path, readers: 1 });
    const keep = await store.agents.saveEvent(event('s', 'alpha bravo'));
    const edit = await store.agents.saveEvent(event('s', 'charlie delta'));
    const drop = await store.agents.saveEvent(event('s', 'echo foxtrot'));
    await store.close();

    const db = new DatabaseSync(path);
    db.prepare('UPDATE events SET content = ? WHERE id = ?').run('golf hotel', edit);
    db.prepare('DELETE FROM events WHERE id = ?').run(drop);
    db.exec('VACUUM');
    db.close();

    store = await openStore({ path, readers: 1 });
    t.after(() => store.close());
    assert.deepEqual((await store.agents.searchEvents('alpha')).map((e) => e.id), [keep]);
    assert.deepEqual(await store.agents.searchEvents('charlie'), []);
    assert.deepEqual((await store.agents.searchEvents('hotel')).map((e) => e.id), [edit]);
    assert.deepEqual(await store.agents.searchEvents('echo'), []);
    const [{ n }] = await store.query('SELECT COUNT(*) AS n FROM events_fts') as [{ n: number }];
    assert.equal(n, 2);
  });
});
