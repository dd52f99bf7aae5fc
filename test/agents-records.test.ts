import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import pg from 'pg';
import { loadMigrations, migrationsDir, migrationText } from '../src/engine/migrate.ts';
import { openStore } from '../src/index.ts';
import { BACKENDS, cleanup, newLocation, POSTGRES, sqlFor, SQLITE_TEXT_KEEPS_NUL, tempDir } from './helpers.ts';
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

    test('searchEvents takes user text as words: quotes, operators of either backend, NUL, blank never throw', async () => {
      const agents = store().agents;
      const word = freshPrefix('quux');
      const id = await agents.saveEvent(event('s', `said "hello" AND left (${word}) NEAR the door* & !not:* a|b`));
      const stray = ['"', '""', "'", "''", 'AND', 'OR', 'NOT', '*', '(', ')', 'NEAR(', '^', 'content:', '-', '"unbalanced', '&', '!', '!!', ':*', '|', '<->', '<2>',
        '\\', 'a\u0000b', '\u0000', `${word}"`, `(${word}`, `${word}*`, `"${word}" AND`, `${word} &`, `!${word}`, `${word}:*`, `${word} <-> x`, '   ', ''];
      for (const text of stray) {
        const found = await agents.searchEvents(text);
        assert.ok(Array.isArray(found), text);
      }
      // Operators are words too: '!' and NOT negate nothing, ':*' asks for no prefix, '|' and OR are no OR.
      for (const text of [`"hello" AND ${word}`, `(${word})`, `!${word}`, `${word}:*`, `${word} & hello`, `${word}\u0000`, `NOT:* ${word}`, `${word} !hello`]) {
        assert.deepEqual((await agents.searchEvents(text)).map((e) => e.id), [id], text);
      }
      assert.deepEqual(await agents.searchEvents(`${word.slice(0, -1)}:*`), []);
      assert.deepEqual(await agents.searchEvents(`${word} | nowhere`), []);
      assert.deepEqual(await agents.searchEvents(`${word} OR nowhere`), []);
      assert.deepEqual(await agents.searchEvents('"'), []);
      assert.deepEqual(await agents.searchEvents(''), []);
    });

    test('searchEvents splits content at punctuation, as words: hosts, paths, hyphens, numbers', async () => {
      const agents = store().agents;
      const word = freshPrefix('split');
      const id = await agents.saveEvent(event('s', `${word}: wrote sample.csv to /var/data-in/out_1 for user@example.org, v1.2.3 at 3.14`));
      for (const text of ['sample', 'csv', 'sample.csv', 'var', 'data', 'in', 'out', '1', 'user', 'example', 'org', 'v1', '3', '14']) {
        assert.deepEqual((await agents.searchEvents(`${word} ${text}`)).map((e) => e.id), [id], text);
      }
    });

    test('an event whose content is megabytes of distinct words saves, and its words are searchable', async () => {
      const agents = store().agents;
      const word = freshPrefix('huge');
      const content = `${word} ${Array.from({ length: 120_000 }, (_, i) => `w${i.toString(36)}x${(i * 7919).toString(36)}`).join(' ')}`;
      assert.ok(content.length > 1_000_000);
      const id = await agents.saveEvent(event('s', content));
      assert.deepEqual((await agents.searchEvents(`${word} w0x0 w1x63z`)).map((e) => e.id), [id]);
      assert.equal((await agents.getEvents('s')).find((e) => e.id === id)?.content, content);
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
      const files = loadMigrations(migrationsDir(backend.path === POSTGRES ? 'postgres' : 'sqlite'));
      assert.deepEqual(history.map((m) => [m.version, m.name, m.description]), files.map((m) => [m.version, m.name, migrationText(m).description]));
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
      const rows = await store().query(sqlFor(backend.path, 'SELECT state_compressed FROM agent_states WHERE key = ?'), [`${prefix}:a`]);
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

describe('store.agents full-text search on SQLite (FTS5)', () => {
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
    cleanup(t, () => store.close());
    assert.deepEqual((await store.agents.searchEvents('alpha')).map((e) => e.id), [keep]);
    assert.deepEqual(await store.agents.searchEvents('charlie'), []);
    assert.deepEqual((await store.agents.searchEvents('hotel')).map((e) => e.id), [edit]);
    assert.deepEqual(await store.agents.searchEvents('echo'), []);
    const [{ n }] = await store.query('SELECT COUNT(*) AS n FROM events_fts') as [{ n: number }];
    assert.equal(n, 2);
  });

  test('every word of a long content is indexed; a NUL in content is stored', { skip: SQLITE_TEXT_KEEPS_NUL === true ? false : SQLITE_TEXT_KEEPS_NUL }, async (t) => {
    const store = await openStore({ path: join(tempDir(t), 'long.db'), readers: 1 });
    cleanup(t, () => store.close());
    const id = await store.agents.saveEvent(event('s', `first ${'filler '.repeat(50_000)} last`));
    assert.deepEqual((await store.agents.searchEvents('last')).map((e) => e.id), [id]);
    const nul = await store.agents.saveEvent(event('s', 'before\u0000after'));
    assert.equal((await store.agents.getEvents('s')).find((e) => e.id === nul)?.content, 'before\u0000after');
  });
});

describe('store.agents full-text search on PostgreSQL (tsvector)', () => {
  /** A store in a schema of its own, and a plain connection to that schema: SQL from outside flowstore. */
  async function storeAndClient(t: TestContext) {
    const { options, remove } = await newLocation(POSTGRES);
    const store = await openStore({ ...options, readers: 1 });
    const client = new pg.Client({ connectionString: options.path });
    // One hook, so that both close before the schema is dropped.
    cleanup(t, async () => {
      await client.end();
      await store.close();
      await remove();
    });
    await client.connect();
    await client.query(`SET search_path TO "${options.postgres!.schema}"`);
    return { store, client };
  }

  test('content changed by SQL outside flowstore is searchable as it now reads (a generated column)', async (t) => {
    const { store, client } = await storeAndClient(t);
    const keep = await store.agents.saveEvent(event('s', 'alpha bravo'));
    const edit = await store.agents.saveEvent(event('s', 'charlie delta'));
    const drop = await store.agents.saveEvent(event('s', 'echo foxtrot'));
    await client.query('UPDATE events SET content = $1 WHERE id = $2', ['golf hotel', edit]);
    await client.query('DELETE FROM events WHERE id = $1', [drop]);
    assert.deepEqual((await store.agents.searchEvents('alpha')).map((e) => e.id), [keep]);
    assert.deepEqual(await store.agents.searchEvents('charlie'), []);
    assert.deepEqual((await store.agents.searchEvents('hotel')).map((e) => e.id), [edit]);
    assert.deepEqual(await store.agents.searchEvents('echo'), []);
    const { rows } = await client.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'events' AND indexname = 'idx_events_search'");
    assert.match(rows[0].indexdef, /USING gin \(search\)/);
  });

  test('the index covers the first 200,000 characters of a content (a tsvector holds at most 1 MB)', async (t) => {
    const { store } = await storeAndClient(t);
    const id = await store.agents.saveEvent(event('s', `first ${'filler '.repeat(50_000)} last`));
    assert.deepEqual((await store.agents.searchEvents('first')).map((e) => e.id), [id]);
    assert.deepEqual(await store.agents.searchEvents('last'), []);
  });

  test('a NUL in text is FLOWSTORE_INVALID_ARGUMENT and nothing is written (PostgreSQL text holds no NUL)', async (t) => {
    const { store, client } = await storeAndClient(t);
    await assert.rejects(store.agents.saveEvent(event('s', 'before\u0000after')), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    await assert.rejects(store.agents.withPrefix('p').saveAgentState(agent('a', { name: 'n\u0000' })), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    const { rows } = await client.query('SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM agent_states) AS n');
    assert.equal(Number(rows[0].n), 0);
  });
});
