/** The usage examples of seed 004 (Descartes' SqliteStateStore guide), as written there, in camelCase. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { openStore, type AgentState, type Store } from '../src/index.ts';
import { BACKENDS, cleanup, newLocation } from './helpers.ts';
import { suiteStore } from './agents-fixture.ts';

const now = (): number => Math.floor(Date.now() / 1000);

for (const backend of BACKENDS) {
  describe(`seed 004 usage examples on ${backend.name}`, () => {
    const opened = suiteStore(backend.path);

    test('initialize, save, load, list, update status', async () => {
      const store = opened();
      const agentState = {
        agentId: 'agent_001',
        name: 'MyWorkerAgent',
        status: 'running',
        metadata: { type: 'worker', capacity: 100, tags: ['production'] },
        stateData: JSON.stringify({ tasks_processed: 42, current_task: 'task_123', memory_usage: '256MB' }),
        createdAt: now(),
        updatedAt: now(),
        version: 1,
      };
      await store.agents.saveAgentState(agentState);

      const loaded = await store.agents.loadAgentState('agent_001');
      assert.ok(loaded);
      assert.equal(`Agent: ${loaded.name} (${loaded.status})`, 'Agent: MyWorkerAgent (running)');
      assert.deepEqual(JSON.parse(loaded.stateData), { tasks_processed: 42, current_task: 'task_123', memory_usage: '256MB' });

      const agents = await store.agents.listAgents();
      assert.deepEqual(agents.map((agent) => `${agent.agentId}: ${agent.status}`), ['agent_001: running']);

      await store.agents.updateAgentStatus('agent_001', 'paused');
      assert.equal((await store.agents.loadAgentState('agent_001'))?.status, 'paused');
    });

    test('record state transitions and read the history', async () => {
      const store = opened();
      await store.agents.recordStateTransition(
        'agent_001',
        '{"status":"idle","iteration":10}',
        '{"status":"running","iteration":11}',
        'User initiated execution',
      );
      const history = await store.agents.getStateHistory('agent_001', 50);
      const lines = history.map((transition) => `At ${transition.timestamp}: ${transition.stateAfter} (reason: ${transition.reason ?? ''})`);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /^At \d+: \{"status":"running","iteration":11\} \(reason: User initiated execution\)$/);
    });

    test('create, list and restore state snapshots', async () => {
      const store = opened();
      await store.agents.saveAgentState({ agentId: 'agent_snap', name: 'Snap', status: 'running', metadata: {}, stateData: 'iteration 100', version: 1 });
      const snapshotId = await store.agents.createSnapshot('agent_snap', 'Stable state after iteration 100');

      const snapshots = await store.agents.listSnapshots('agent_snap');
      assert.deepEqual(snapshots.map(({ id, description }) => `Snapshot: ${id} - ${description ?? ''}`), [`Snapshot: ${snapshotId} - Stable state after iteration 100`]);
      assert.ok(Number.isInteger(snapshots[0]!.createdAt));

      await store.agents.saveAgentState({ agentId: 'agent_snap', name: 'Snap', status: 'failed', metadata: {}, stateData: 'iteration 101', version: 1 });
      await store.agents.restoreSnapshot(snapshotId);
      assert.equal((await store.agents.loadAgentState('agent_snap'))?.stateData, 'iteration 100');
    });

    test('event management: save, by session, by type, search', async () => {
      const store = opened();
      const event = {
        id: randomUUID(),
        eventType: 'agent_completed_task',
        timestamp: now(),
        sessionId: 'session_001',
        actorType: 'agent',
        actorId: 'agent_001',
        content: 'Task completed successfully',
        metadata: { task_id: 'task_123' },
        gitCommit: null,
      };
      await store.agents.saveEvent(event);

      const events = await store.agents.getEvents('session_001');
      const byType = await store.agents.getEventsByType('agent_completed_task');
      const searchResults = await store.agents.searchEvents('task');
      for (const found of [events, byType, searchResults]) assert.deepEqual(found.map((e) => e.id), [event.id]);
      assert.deepEqual(events[0]!.metadata, { task_id: 'task_123' });
    });

    test('task management: save, get, list', async () => {
      const store = opened();
      const task = {
        id: randomUUID(),
        title: 'Process batch',
        description: 'Process incoming data batch',
        status: 'in_progress' as const,
        assignedTo: 'agent_001',
        createdAt: now(),
        updatedAt: now(),
        metadata: { batch_size: 1000 },
      };
      await store.agents.saveTask(task);
      const found = await store.agents.getTask(task.id);
      assert.ok(found);
      assert.equal(`Task: ${found.title}`, 'Task: Process batch');
      const allTasks = await store.agents.getTasks();
      assert.deepEqual(allTasks.map((t) => t.id), [task.id]);
    });

    test('concurrent access: many callers share one store', async () => {
      const store = opened();
      const lists = await Promise.all(Array.from({ length: 16 }, () => store.agents.listAgents()));
      for (const agents of lists) assert.deepEqual(agents.map((a) => a.agentId), ['agent_001', 'agent_snap']);
    });

    test('transaction pattern: all or nothing', async () => {
      const store = opened();
      const result = await store.agents.transact(async () => 'Transaction completed');
      assert.equal(result, 'Transaction completed');
    });

    test('batch operations wrapped in a transaction for atomicity; integration with an agent runner', async () => {
      const store = opened();
      const runnerAgents = [{ id: 'runner_1', name: 'R1', status: 'Running', startedAt: 1, backend: 'anthropic' }, { id: 'runner_2', name: 'R2', status: 'Idle', startedAt: 2, backend: 'openai' }];
      const states = runnerAgents.map((agentInfo) => ({
        agentId: agentInfo.id, name: agentInfo.name, status: agentInfo.status,
        metadata: { started_at: agentInfo.startedAt, backend: agentInfo.backend },
        stateData: '{}', createdAt: now(), updatedAt: now(), version: 1,
      }));
      await store.agents.transact(async (agents) => {
        for (const agentState of states) await agents.saveAgentState(agentState);
      });
      const saved = (await store.agents.listAgents()).filter((a: AgentState) => a.agentId.startsWith('runner_'));
      assert.deepEqual(saved.map((a) => [a.agentId, a.status, a.metadata]), [
        ['runner_1', 'Running', { started_at: 1, backend: 'anthropic' }],
        ['runner_2', 'Idle', { started_at: 2, backend: 'openai' }],
      ]);
    });

    test('checking migration status', async () => {
      const store = opened();
      const migrations = await store.agents.getMigrationHistory();
      const lines = migrations.map((m) => `Applied: v${m.version} - ${m.name}`);
      assert.ok(lines.includes('Applied: v1 - runs'));
      assert.ok(lines.includes('Applied: v5 - agents'));
      assert.deepEqual(migrations.map((m) => m.version), migrations.map((m) => m.version).sort((a, b) => a - b));
    });

    test('error handling: not found is null, not an error', async () => {
      const store = opened();
      const state = await store.agents.withPrefix('nobody').loadAgentState('agent_001');
      assert.equal(state === null ? 'Not found' : 'Found', 'Not found');
    });

    test('connection pool access: complex queries in direct SQL', async () => {
      const store = opened();
      // SQL both backends run as written: the store's own agents are the keys without ':'.
      const rows = await store.query("SELECT status, COUNT(*) AS n FROM agent_states WHERE is_deleted = 0 AND key NOT LIKE '%:%' GROUP BY status ORDER BY status");
      assert.deepEqual(rows, [{ status: 'Idle', n: 1 }, { status: 'Running', n: 1 }, { status: 'paused', n: 1 }, { status: 'running', n: 1 }]);
    });
  });
}

describe('seed 004 key prefixing example', () => {
  // Two stores on one place: a file, or one PostgreSQL schema (two hosts); ':memory:' is never shared.
  for (const backend of BACKENDS.filter((b) => b.path !== ':memory:')) {
    test(`two stores on one ${backend.name === 'file' ? 'file' : 'database'}, worker and coordinator prefixes`, async (t) => {
      const { options, remove } = await newLocation(backend.path);
      const opened: Store[] = [];
      // One hook, so that the stores close before their place is removed.
      cleanup(t, async () => {
        for (const store of opened) await store.close();
        await remove();
      });
      const first = await openStore({ ...options, readers: 1 });
      opened.push(first);
      const second = await openStore({ ...options, readers: 1 });
      opened.push(second);
      const workerStore = first.agents.withPrefix('worker');
      const coordinatorStore = second.agents.withPrefix('coordinator');
      const state = { agentId: 'agent_001', name: 'A', status: 'idle', metadata: {}, stateData: '{}', version: 1 };
      await workerStore.saveAgentState(state);
      await coordinatorStore.saveAgentState({ ...state, status: 'running' });
      const keys = await first.query('SELECT key FROM agent_states ORDER BY key');
      assert.deepEqual(keys.map((r) => r.key), ['coordinator:agent_001', 'worker:agent_001']);
      assert.equal((await first.agents.withPrefix('coordinator').loadAgentState('agent_001'))?.status, 'running');
      assert.equal((await second.agents.withPrefix('worker').loadAgentState('agent_001'))?.status, 'idle');
    });
  }
});
