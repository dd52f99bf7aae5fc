import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS, POSTGRES, SQLITE_TEXT_KEEPS_NUL, sqlFor } from './helpers.ts';
import { agent, freshPrefix, nowSeconds, suiteStore } from './agents-fixture.ts';

for (const backend of BACKENDS) {
  describe(`store.agents states on ${backend.name}`, () => {
    const store = suiteStore(backend.path);

    test('saveAgentState then loadAgentState round-trips every field', async () => {
      const agents = store().agents.withPrefix(freshPrefix('rt'));
      const metadata = { type: 'worker', nested: { list: [1, 'two', null] }, when: new Date('2024-01-02T03:04:05.000Z') };
      await agents.saveAgentState(agent('agent_001', { metadata, version: 7, createdAt: 1_700_000_000, updatedAt: 1_700_000_100 }));
      const loaded = await agents.loadAgentState('agent_001');
      assert.deepEqual(loaded, {
        agentId: 'agent_001', name: 'MyWorkerAgent', status: 'running', metadata, version: 7,
        stateData: agent('agent_001').stateData, createdAt: 1_700_000_000, updatedAt: 1_700_000_100,
      });
    });

    test('a save without times stamps now in Unix seconds; an upsert keeps createdAt and stores the new version', async () => {
      const agents = store().agents.withPrefix(freshPrefix('up'));
      const before = nowSeconds();
      await agents.saveAgentState(agent('a', { createdAt: 1_600_000_000 }));
      await agents.saveAgentState(agent('a', { name: 'Renamed', version: 2, stateData: 'v2' }));
      const loaded = await agents.loadAgentState('a');
      assert.equal(loaded?.name, 'Renamed');
      assert.equal(loaded?.version, 2);
      assert.equal(loaded?.stateData, 'v2');
      assert.equal(loaded?.createdAt, 1_600_000_000);
      assert.ok(Number.isInteger(loaded?.updatedAt) && loaded!.updatedAt >= before && loaded!.updatedAt <= nowSeconds());
    });

    test('loadAgentState of an unknown agent is null', async () => {
      assert.equal(await store().agents.withPrefix(freshPrefix('none')).loadAgentState('ghost'), null);
    });

    test('listAgents returns the live agents of the view, by id, with a status filter and paging', async () => {
      const agents = store().agents.withPrefix(freshPrefix('list'));
      await agents.saveAgentState(agent('b', { status: 'idle' }));
      await agents.saveAgentState(agent('a'));
      await agents.saveAgentState(agent('c'));
      await agents.deleteAgentState('c');
      assert.deepEqual((await agents.listAgents()).map((a) => a.agentId), ['a', 'b']);
      assert.deepEqual((await agents.listAgents({ status: 'idle' })).map((a) => a.agentId), ['b']);
      assert.deepEqual((await agents.listAgents({ limit: 1, offset: 1 })).map((a) => a.agentId), ['b']);
    });

    test('updateAgentStatus changes the status; an unknown or deleted agent is FLOWSTORE_NOT_FOUND', async () => {
      const agents = store().agents.withPrefix(freshPrefix('st'));
      await agents.saveAgentState(agent('a'));
      await agents.updateAgentStatus('a', 'paused');
      assert.equal((await agents.loadAgentState('a'))?.status, 'paused');
      await assert.rejects(agents.updateAgentStatus('ghost', 'paused'), { code: 'FLOWSTORE_NOT_FOUND' });
      await agents.deleteAgentState('a');
      await assert.rejects(agents.updateAgentStatus('a', 'running'), { code: 'FLOWSTORE_NOT_FOUND' });
    });

    test('deleteAgentState is a soft delete: the row stays, reads skip it, a new save brings it back', async () => {
      const prefix = freshPrefix('del');
      const agents = store().agents.withPrefix(prefix);
      await agents.saveAgentState(agent('a', { createdAt: 1_600_000_000 }));
      assert.equal(await agents.deleteAgentState('a'), true);
      assert.equal(await agents.deleteAgentState('a'), false);
      assert.equal(await agents.deleteAgentState('ghost'), false);
      assert.equal(await agents.loadAgentState('a'), null);
      const rows = await store().query(sqlFor(backend.path, 'SELECT is_deleted FROM agent_states WHERE key = ?'), [`${prefix}:a`]);
      assert.deepEqual(rows, [{ is_deleted: 1 }]);
      await agents.saveAgentState(agent('a', { status: 'idle' }));
      const back = await agents.loadAgentState('a');
      assert.equal(back?.status, 'idle');
      assert.notEqual(back?.createdAt, 1_600_000_000, 'a resurrected agent starts a new life');
    });

    test('compression: a compressing view stores a deflated blob, every view reads both kinds', async () => {
      const prefix = freshPrefix('zip');
      const plain = store().agents.withPrefix(prefix);
      const zipped = plain.withOptions({ compressStateData: true });
      const big = JSON.stringify({ log: 'x'.repeat(20_000), note: 'é✓' });
      await zipped.saveAgentState(agent('z', { stateData: big }));
      await plain.saveAgentState(agent('p', { stateData: big }));
      const rows = await store().query(sqlFor(backend.path, 'SELECT key, state_compressed, length(state_data) AS size FROM agent_states WHERE key IN (?, ?) ORDER BY key'),
        [`${prefix}:p`, `${prefix}:z`]);
      assert.deepEqual(rows.map((r) => r.state_compressed), [0, 1]);
      assert.ok((rows[0]!.size as number) > 20_000);
      assert.ok((rows[1]!.size as number) < 1_000);
      for (const view of [plain, zipped]) {
        assert.equal((await view.loadAgentState('z'))?.stateData, big);
        assert.equal((await view.loadAgentState('p'))?.stateData, big);
      }
      assert.equal(zipped.prefix, prefix);
      assert.throws(() => plain.withOptions({ compressStateData: 'yes' as unknown as boolean }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      assert.throws(() => plain.withOptions({ compressData: true } as never), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      assert.throws(() => plain.withOptions(undefined as never), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      assert.equal(zipped.withPrefix(freshPrefix('zip2')).withOptions({}).prefix.startsWith('zip2'), true);
    });

    test('state data holds any text, NUL and control characters included, compressed or not, through a snapshot too', { skip: backend.path !== POSTGRES && SQLITE_TEXT_KEEPS_NUL !== true ? SQLITE_TEXT_KEEPS_NUL : false }, async () => {
      const agents = store().agents.withPrefix(freshPrefix('raw'));
      const stateData = 'nul\u0000inside, é✓ 😀, "quoted", \\back, \u0001\u007f';
      for (const view of [agents, agents.withOptions({ compressStateData: true })]) {
        await view.saveAgentState(agent('a', { stateData }));
        assert.equal((await view.loadAgentState('a'))?.stateData, stateData);
        const id = await view.createSnapshot('a');
        await view.saveAgentState(agent('a', { stateData: 'changed' }));
        assert.equal((await view.restoreSnapshot(id)).stateData, stateData);
      }
    });

    if (backend.path === POSTGRES) {
      test('on PostgreSQL, state data is bytea: the text as UTF-8, or deflated (zlib) when the row says so', async () => {
        const prefix = freshPrefix('pgraw');
        const plain = store().agents.withPrefix(prefix);
        const text = JSON.stringify({ log: 'y'.repeat(5_000), note: 'é✓' });
        await plain.saveAgentState(agent('p', { stateData: text }));
        await plain.withOptions({ compressStateData: true }).saveAgentState(agent('z', { stateData: text }));
        const rows = await store().query(`SELECT pg_typeof(state_data)::text AS type, state_compressed, get_byte(state_data, 0) AS first,
          CASE WHEN state_compressed = 0 THEN convert_from(state_data, 'UTF8') END AS text FROM agent_states WHERE key IN ($1, $2) ORDER BY key`,
        [`${prefix}:p`, `${prefix}:z`]);
        assert.deepEqual(rows, [{ type: 'bytea', state_compressed: 0, first: '{'.charCodeAt(0), text }, { type: 'bytea', state_compressed: 1, first: 0x78, text: null }]);
      });
    } else {
      test('on SQLite, state data is TEXT, or a deflated BLOB when the row says so', async () => {
        const prefix = freshPrefix('sqlraw');
        const plain = store().agents.withPrefix(prefix);
        const text = JSON.stringify({ log: 'y'.repeat(5_000), note: 'é✓' });
        await plain.saveAgentState(agent('p', { stateData: text }));
        await plain.withOptions({ compressStateData: true }).saveAgentState(agent('z', { stateData: text }));
        const rows = await store().query(sqlFor(backend.path, 'SELECT typeof(state_data) AS type, state_compressed, CASE WHEN state_compressed = 0 THEN state_data END AS text FROM agent_states WHERE key IN (?, ?) ORDER BY key'),
          [`${prefix}:p`, `${prefix}:z`]);
        assert.deepEqual(rows, [{ type: 'text', state_compressed: 0, text }, { type: 'blob', state_compressed: 1, text: null }]);
      });
    }

    test('state transitions: recorded with reason and metadata, history newest first, limited', async () => {
      const agents = store().agents.withPrefix(freshPrefix('tr'));
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await agents.recordStateTransition('a', `{"iteration":${i}}`, `{"iteration":${i + 1}}`, i === 4 ? 'last' : undefined, i === 4 ? { by: 'user' } : undefined));
      }
      const history = await agents.getStateHistory('a', 3);
      assert.deepEqual(history.map((h) => h.id), [ids[4], ids[3], ids[2]]);
      assert.equal(history[0]!.agentId, 'a');
      assert.equal(history[0]!.stateBefore, '{"iteration":4}');
      assert.equal(history[0]!.stateAfter, '{"iteration":5}');
      assert.equal(history[0]!.reason, 'last');
      assert.deepEqual(history[0]!.metadata, { by: 'user' });
      assert.equal(history[1]!.reason, null);
      assert.equal(history[1]!.metadata, null);
      assert.ok(Number.isInteger(history[0]!.timestamp));
      assert.equal((await agents.getStateHistory('a')).length, 5);
      assert.deepEqual(await agents.getStateHistory('other'), []);
    });

    test('snapshots: create, list newest first, restore puts the state back and records a transition', async () => {
      const agents = store().agents.withPrefix(freshPrefix('snap'));
      await agents.saveAgentState(agent('a', { stateData: 'iteration 100', metadata: { m: 1 }, version: 3 }));
      const first = await agents.createSnapshot('a', 'Stable state after iteration 100');
      const second = await agents.createSnapshot('a');
      const listed = await agents.listSnapshots('a');
      assert.deepEqual(listed.map((s) => s.id), [second, first]);
      assert.equal(listed[1]!.description, 'Stable state after iteration 100');
      assert.equal(listed[0]!.description, null);
      assert.equal(listed[0]!.agentId, 'a');
      assert.equal(listed[0]!.expiresAt, null);

      await agents.saveAgentState(agent('a', { stateData: 'iteration 150', status: 'failed', metadata: { m: 2 }, version: 4 }));
      const restored = await agents.restoreSnapshot(first);
      assert.equal(restored.stateData, 'iteration 100');
      assert.equal(restored.status, 'running');
      assert.deepEqual(restored.metadata, { m: 1 });
      assert.equal(restored.version, 3);
      assert.deepEqual(await agents.loadAgentState('a'), restored);
      const [last] = await agents.getStateHistory('a', 1);
      assert.match(last!.reason!, new RegExp(first));
      assert.deepEqual(JSON.parse(last!.stateBefore), { status: 'failed', version: 4, stateData: 'iteration 150' });
      assert.deepEqual(JSON.parse(last!.stateAfter), { status: 'running', version: 3, stateData: 'iteration 100' });
      assert.deepEqual(last!.metadata, { snapshotId: first });
    });

    test('restoreSnapshot brings back a deleted agent', async () => {
      const agents = store().agents.withPrefix(freshPrefix('snapdel'));
      await agents.saveAgentState(agent('a'));
      const id = await agents.createSnapshot('a');
      await agents.deleteAgentState('a');
      assert.equal((await agents.restoreSnapshot(id)).agentId, 'a');
      assert.equal((await agents.listAgents()).length, 1);
    });

    test('snapshot errors: unknown agent, unknown id are FLOWSTORE_NOT_FOUND', async () => {
      const agents = store().agents.withPrefix(freshPrefix('snaperr'));
      await assert.rejects(agents.createSnapshot('ghost', 'x'), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(agents.restoreSnapshot('no-such-snapshot'), { code: 'FLOWSTORE_NOT_FOUND' });
    });

    test('expired snapshots are neither listed nor restorable, and cleanupExpiredSnapshots removes only those of the view', async () => {
      const prefix = freshPrefix('exp');
      const agents = store().agents.withPrefix(prefix);
      const other = store().agents.withPrefix(freshPrefix('exp'));
      await agents.saveAgentState(agent('a'));
      await other.saveAgentState(agent('a'));
      const expired = await agents.createSnapshot('a', 'old', { expiresAt: nowSeconds() - 10 });
      const live = await agents.createSnapshot('a', 'new', { expiresAt: nowSeconds() + 3600 });
      const othersExpired = await other.createSnapshot('a', 'old', { expiresAt: nowSeconds() - 10 });
      assert.deepEqual((await agents.listSnapshots('a')).map((s) => s.id), [live]);
      assert.equal((await agents.listSnapshots('a'))[0]!.expiresAt! > nowSeconds(), true);
      await assert.rejects(agents.restoreSnapshot(expired), { code: 'FLOWSTORE_NOT_FOUND' });
      assert.equal(await agents.cleanupExpiredSnapshots(), 1);
      assert.equal(await agents.cleanupExpiredSnapshots(), 0);
      const left = await store().query(sqlFor(backend.path, 'SELECT id FROM state_snapshots WHERE id IN (?, ?, ?) ORDER BY id'), [expired, live, othersExpired]);
      assert.deepEqual(left.map((r) => r.id).sort(), [live, othersExpired].sort());
      assert.equal((await agents.restoreSnapshot(live)).agentId, 'a');
    });

    test('withPrefix: keys stored as prefix:agentId, views never see each other', async () => {
      const w = freshPrefix('worker');
      const c = freshPrefix('coordinator');
      const worker = store().agents.withPrefix(w);
      const coordinator = store().agents.withPrefix(c);
      await worker.saveAgentState(agent('agent_001', { name: 'W' }));
      await coordinator.saveAgentState(agent('agent_001', { name: 'C' }));
      const keys = await store().query(sqlFor(backend.path, 'SELECT key FROM agent_states WHERE key IN (?, ?) ORDER BY key'), [`${c}:agent_001`, `${w}:agent_001`]);
      assert.deepEqual(keys.map((r) => r.key), [`${c}:agent_001`, `${w}:agent_001`]);
      assert.equal((await worker.loadAgentState('agent_001'))?.name, 'W');
      assert.equal((await coordinator.loadAgentState('agent_001'))?.name, 'C');
      assert.deepEqual((await worker.listAgents()).map((a) => a.name), ['W']);

      await worker.recordStateTransition('agent_001', 'a', 'b', 'worker only');
      assert.equal((await worker.getStateHistory('agent_001')).length, 1);
      assert.deepEqual(await coordinator.getStateHistory('agent_001'), []);

      const snap = await worker.createSnapshot('agent_001');
      assert.equal((await worker.listSnapshots('agent_001')).length, 1);
      assert.deepEqual(await coordinator.listSnapshots('agent_001'), []);
      await assert.rejects(coordinator.restoreSnapshot(snap), { code: 'FLOWSTORE_NOT_FOUND' });
      await assert.rejects(store().agents.restoreSnapshot(snap), { code: 'FLOWSTORE_NOT_FOUND' });

      assert.equal(await coordinator.deleteAgentState('agent_001'), true);
      assert.equal((await worker.loadAgentState('agent_001'))?.name, 'W');
      assert.equal(await store().agents.loadAgentState('agent_001'), null, 'the store view has none of them');
      assert.ok(!(await store().agents.listAgents()).some((a) => a.name === 'W' || a.name === 'C'));
      assert.equal(worker.withPrefix(c).prefix, c, 'withPrefix replaces the prefix');
    });

    test('prefix and agent id validation: empty or ":" is FLOWSTORE_INVALID_ARGUMENT and nothing is written', async () => {
      assert.throws(() => store().agents.withPrefix(''), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      assert.throws(() => store().agents.withPrefix('a:b'), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      assert.throws(() => store().agents.withPrefix(42 as unknown as string), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      const agents = store().agents.withPrefix(freshPrefix('val'));
      await assert.rejects(agents.saveAgentState(agent('worker:a')), (e: { code?: string; details?: { field?: string } }) => e.code === 'FLOWSTORE_INVALID_ARGUMENT' && e.details?.field === 'state.agentId');
      await assert.rejects(agents.saveAgentState(agent('')), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(agents.saveAgentState({ ...agent('a'), stateData: { not: 'a string' } as unknown as string }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(agents.saveAgentState({ ...agent('a'), createdAt: 1.5 }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(agents.saveAgentState({ ...agent('a'), extra: 1 } as never), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(agents.getStateHistory('a', 0), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(agents.createSnapshot('a', null, { expiresAt: -1 }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(agents.loadAgentState('x:y'), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      assert.deepEqual(await agents.listAgents(), []);
    });
  });
}
