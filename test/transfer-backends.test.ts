/**
 * Moving a store between backends: a SQLite store filled through every domain's API is
 * exported, imported into PostgreSQL, exported from there and imported into a new SQLite
 * file. Every API read answers the same on the three stores, and every table holds the
 * same rows (SQLite's rowid travels where PostgreSQL keeps a rowid column; where it does
 * not, the rows are the same and take new rowids).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Store } from '../src/index.ts';
import { FlowstoreBackend } from '../src/openworkflow/index.ts';
import { mockWorkflow } from './aaow-fixtures.ts';
import { POSTGRES, tempDir, tempStore } from './helpers.ts';

const T0 = new Date('2024-05-06T07:08:09.123Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

async function fill(store: Store): Promise<void> {
  // runs: every kind of value the codec keeps, a compressed context, an integral real, a big integer.
  await store.runs.saveState('r1', {
    pipelineId: 'etl', pipelineName: 'ETL ünïcode ✓', pipelineVersion: '1.0.0', currentStepIndex: 2, status: 'completed',
    pipelineContext: { big: 2n ** 70n, when: new Date(0), bytes: new Uint8Array([0, 1, 255]), map: new Map([['k', new Set([1, 2])]]), nul: 'a\u0000b', nan: Number.NaN },
    lastStepOutput: 'x marks the spot', createdAt: at(0), updatedAt: at(1), memoryUsageMb: 3, executionTimeMs: 2 ** 40, totalSteps: 5,
  });
  await store.runs.saveState('r2', {
    pipelineId: 'ml', pipelineName: 'ML', pipelineVersion: '2', status: 'failed', errorMessage: "it's \"broken\"",
    pipelineContext: { pad: 'z'.repeat(20_000) }, lastStepOutput: null, createdAt: at(2), updatedAt: at(3), memoryUsageMb: 12.5,
  });
  await store.runs.saveState('a0', { pipelineId: 'etl', pipelineName: 'ETL', pipelineVersion: '1', status: 'running', pipelineContext: [], lastStepOutput: -0 });

  // dag: artifacts, a large (compressed) tree, snapshots of both kinds, both states.
  await store.dag.saveCache('dag-1', { extract: { rows: 1200 }, load: { file: 's3://b/a.csv' } });
  await store.dag.saveCacheDelta('dag-1', { transform: { rows: 1180, big: 'y'.repeat(10_000) } });
  await store.dag.saveExecutionTree('dag-1', { nodes: Array.from({ length: 2000 }, (_, i) => `n${i}`), edges: [[0, 1]] });
  await store.dag.saveSnapshot('dag-1', new Uint8Array([120, 1, 2, 3]));
  await store.dag.saveSnapshot('dag-1', new Uint8Array(50_000).fill(7));
  await store.dag.saveExecutionState('dag-1', 'active', new Uint8Array([9, 8, 7]));
  await store.dag.saveExecutionState('dag-1', 'pending', new Uint8Array(20_000).fill(1));

  // definitions: the files it loaded and their phases.
  await store.definitions.refresh();

  // aaow: a workflow and a session with everything that hangs from one.
  await store.aaow.saveWorkflow({ id: 'wf-1', name: 'Review', version: '1.0.0', definition: mockWorkflow, createdAt: at(0), updatedAt: at(1), metadata: { team: 'a' } });
  await store.aaow.createSession({ id: 's-1', workflowId: 'wf-1', workflowSnapshot: mockWorkflow, status: 'running', createdAt: at(2), updatedAt: at(3) });
  await store.aaow.createBudgetPool({ id: 'pool-1', totalBudget: 1000, usedBudget: 100, remainingBudget: 900, status: 'active', createdAt: at(1) });
  await store.aaow.createBudgetPool({ id: 'pool-0', parentPoolId: 'pool-1', totalBudget: 10, usedBudget: 0, remainingBudget: 10, status: 'active', createdAt: at(2) });
  await store.aaow.saveExecutionState({
    sessionId: 's-1', budgetPoolId: 'pool-1', startedAt: at(2), currentNodeId: 'node-1', status: 'running',
    nodeStates: { 'node-1': { nodeId: 'node-1', status: 'running', startedAt: at(2) } },
  });
  await store.aaow.updateNodeState('s-1', 'node-1', { nodeId: 'node-1', status: 'completed', completedAt: at(4), output: { result: 'success' } });
  await store.aaow.saveLLMExecution('s-1', 'node-1', {
    id: 'exec-1', timestamp: at(3), success: true, text: 'First', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
    toolCalls: [{ toolCallId: 'call-1', toolName: 'calculator', args: { a: 1, b: 2 }, result: 3 }],
  });
  await store.aaow.logToolCall({ id: 'tc-1', executionId: 'exec-1', toolCallId: 'call-1', toolName: 'calculator', args: { a: 1 }, result: 3, timestamp: at(3), duration: 50 });
  await store.aaow.createApprovalRequest({ id: 'ap-1', sessionId: 's-1', nodeId: 'node-1', type: 'human_review', status: 'pending', context: { description: 'review me', llmOutput: { text: 'Generated' } }, createdAt: at(5) });
  await store.aaow.saveStreamEvent({ id: 'ev-1', streamId: 'st-1', nodeId: 'node-1', data: { value: 42 }, timestamp: at(6), sessionId: 's-1' });

  // agents: state (its text starting with an x), transitions, a snapshot, searchable events, a task, a session.
  const workers = store.agents.withPrefix('worker');
  await workers.saveAgentState({ agentId: 'agent_001', name: 'Processor', status: 'active', stateData: 'x-state: not JSON at all' });
  await workers.saveAgentState({ agentId: 'agent_002', name: 'Big', status: 'idle', stateData: JSON.stringify({ log: 'w'.repeat(30_000) }) });
  await workers.recordStateTransition('agent_001', 'idle', 'processing', 'new batch', { batch: 7 });
  await workers.recordStateTransition('agent_001', 'processing', 'idle', null);
  await workers.createSnapshot('agent_001', 'before deploy');
  await store.agents.saveSession({ id: 'sess-1', agentId: 'agent_001', status: 'active', startedAt: 1_700_000_000 });
  await store.agents.saveEvent({ sessionId: 'sess-1', eventType: 'message', actorType: 'user', actorId: 'u1', content: 'deploy the "blue" build' });
  await store.agents.saveEvent({ sessionId: 'sess-1', eventType: 'message', actorType: 'agent', actorId: 'agent_001', content: 'blue build deployed' });
  await store.agents.saveTask({ title: 'ship it', status: 'pending', assignedTo: 'agent_001' });

  // queue: jobs in every state, a key, a delay, a result, a dead letter's attempts, a limit, a schedule.
  await store.queue.enqueueMany<unknown>('emails', [
    { payload: { to: 'a@example.com', at: new Date(0) }, key: 'welcome:1', priority: 5 },
    { payload: 'later', delayMs: 86_400_000 }, { payload: 2n ** 70n }, { payload: null, maxAttempts: 1 },
  ]);
  const [first, second] = await store.queue.claim('emails', { workerId: 'host-a:1', limit: 2 });
  await store.queue.complete(first!, { sent: true, bytes: new Uint8Array([1, 2]) });
  await store.queue.fail(second!, Object.assign(new Error('smtp down'), { code: 'E_SMTP' }), { retry: false });
  await store.queue.setConcurrency('emails', 4);
  await store.queue.schedule('yearly-report', '0 0 1 1 *', { report: 'year' }, { timeZone: 'Europe/Paris', maxAttempts: 2 });

  // openworkflow: a finished run with its steps (one waiting for a signal it got), a pending one with a key and a deadline.
  const ow = new FlowstoreBackend(store);
  const run = await ow.createWorkflowRun({ workflowName: 'order', version: 'v1', idempotencyKey: null, config: {}, context: null, input: { id: 'o-1' },
    parentStepAttemptNamespaceId: null, parentStepAttemptId: null, availableAt: null, deadlineAt: null });
  await ow.claimWorkflowRun({ workerId: 'ow-worker', leaseDurationMs: 60_000 });
  const charge = await ow.createStepAttempt({ workflowRunId: run.id, workerId: 'ow-worker', stepName: 'charge', kind: 'function', config: {}, context: null });
  await ow.completeStepAttempt({ workflowRunId: run.id, stepAttemptId: charge.id, workerId: 'ow-worker', output: { charged: 12.5 } });
  await ow.createStepAttempt({ workflowRunId: run.id, workerId: 'ow-worker', stepName: 'approval', kind: 'signal-wait', config: {},
    context: { kind: 'signal-wait', signal: 'approve:o-1', timeoutAt: '2030-01-01T00:00:00.000Z' } });
  await ow.sendSignal({ signal: 'approve:o-1', data: { by: 'ann' }, idempotencyKey: 'k1' });
  await ow.completeWorkflowRun({ workflowRunId: run.id, workerId: 'ow-worker', output: 'done' });
  await ow.createWorkflowRun({ workflowName: 'order', version: null, idempotencyKey: 'o-2', config: { retry: 1 }, context: null, input: null,
    parentStepAttemptNamespaceId: null, parentStepAttemptId: null, availableAt: new Date(4_102_444_800_000), deadlineAt: new Date(4_102_444_900_000) });
}

/** Every read the domains offer over what fill wrote. */
async function reads(store: Store) {
  const workers = store.agents.withPrefix('worker');
  const [snapshot] = await workers.listSnapshots('agent_001');
  return {
    runs: [await store.runs.loadState('r1'), await store.runs.loadState('r2'), await store.runs.loadState('a0'), await store.runs.listWorkflows()],
    runStats: (({ recentWorkflows24h: _, ...rest }) => rest)(await store.runs.getWorkflowStats()),
    dag: [await store.dag.loadCache('dag-1'), await store.dag.loadExecutionTree('dag-1'), await store.dag.loadLatestSnapshot('dag-1'),
      await store.dag.loadExecutionState('dag-1', 'active'), await store.dag.loadExecutionState('dag-1', 'pending'), await store.dag.debugDump()],
    definitions: [await store.definitions.listFiles(), await store.definitions.listPhases({ withStatus: true }), await store.definitions.get('transform')],
    aaow: [await store.aaow.getWorkflow('wf-1'), await store.aaow.getSession('s-1'), await store.aaow.getExecutionState('s-1'),
      await store.aaow.getLLMExecutions('s-1'), await store.aaow.getToolCalls('exec-1'), await store.aaow.getBudgetPool('pool-1'),
      await store.aaow.getChildBudgetPools('pool-1'), await store.aaow.listPendingApprovals(), await store.aaow.getStreamEvents('st-1')],
    agents: [await workers.loadAgentState('agent_001'), await workers.loadAgentState('agent_002'), await workers.getStateHistory('agent_001', 10),
      snapshot, await store.agents.getEvents('sess-1'), await store.agents.getTasks(), await store.agents.getSessions()],
    // Ranking differs between FTS5 and PostgreSQL's text search: the same events are found.
    search: (await store.agents.searchEvents('blue build')).map((e) => e.id).sort(),
    queue: [await store.queue.list(), (await store.queue.stats()).map(({ oldestWaitingMs: _, ...rest }) => rest), await store.queue.schedules()],
    openworkflow: await (async () => {
      const ow = new FlowstoreBackend(store);
      const runs = (await ow.listWorkflowRuns({})).data;
      const steps = await Promise.all(runs.map(async (r) => (await ow.listStepAttempts({ workflowRunId: r.id })).data));
      const deliveries = await Promise.all(steps.flat().map((a) => ow.getSignalDelivery({ stepAttemptId: a.id })));
      return [runs, steps, deliveries, await ow.countWorkflowRuns()];
    })(),
  };
}

function store0Jobs(store: Store) {
  return store.queue.list({ limit: 1 });
}

async function exportText(store: Store): Promise<string> {
  let text = '';
  await store.exportJsonl((chunk) => { text += chunk; });
  return text;
}

interface Table { columns: string[]; rows: unknown[][]; derived: boolean }

function tables(text: string): Map<string, Table> {
  const result = new Map<string, Table>();
  for (const line of text.trimEnd().split('\n').map((l) => JSON.parse(l))) {
    if (line.columns) result.set(line.table, { columns: line.columns, rows: [], derived: line.derived === true });
    else if (line.values) result.get(line.table)!.rows.push(line.values);
  }
  return result;
}

/** The rows as objects of `columns`, in a fixed order (the backends page by different keys where PostgreSQL has no rowid). */
function rowsOf(table: Table, columns: readonly string[]): string[] {
  return table.rows.map((row) => JSON.stringify(columns.map((c) => row[table.columns.indexOf(c)]))).sort();
}

test('a store moves SQLite → PostgreSQL → SQLite keeping every value exactly', async (t) => {
  const root = join(tempDir(t), 'workflows');
  mkdirSync(join(root, 'nested'), { recursive: true });
  writeFileSync(join(root, 'etl.toml'), '[[phase]]\ntask = "data-load"\nrule = "cron=0 0 * * *"\n[[phase]]\ntask = "transform:daily"\ndependsOn = "data-load"\n');
  writeFileSync(join(root, 'nested/bad.toml'), '[[phase]]\ntask = "orphan"\ndependsOn = "missing"\n');
  const source = await tempStore(t, { workflowPath: root });
  await fill(source);
  const fromSqlite = await exportText(source);

  const pg = await tempStore(t, { path: POSTGRES, workflowPath: root });
  const intoPg = await pg.importJsonl([fromSqlite]);
  assert.deepEqual(intoPg.skipped, ['events_fts']);
  const expectedBeforeWrites = await reads(source);
  const fromPg = await exportText(pg);

  const copy = await tempStore(t, { workflowPath: root });
  await copy.importJsonl([fromPg]);
  const fromCopy = await exportText(copy);

  const expected = await reads(source);
  assert.deepEqual(await reads(pg), expected);
  assert.deepEqual(await reads(copy), expected);
  assert.deepEqual(await copy.agents.searchEvents('blue build'), await source.agents.searchEvents('blue build'));

  const a = tables(fromSqlite);
  const p = tables(fromPg);
  const b = tables(fromCopy);
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [name, table] of a) {
    const back = b.get(name)!;
    assert.deepEqual(back.columns, table.columns, name);
    if (table.derived && !p.has(name)) {
      // Made again by the copy's triggers as the rows came in: the same content.
      assert.deepEqual(rowsOf(back, table.columns.slice(1)), rowsOf(table, table.columns.slice(1)), name);
      continue;
    }
    const onPg = p.get(name);
    assert.ok(onPg, `${name} is on PostgreSQL`);
    assert.deepEqual(rowsOf(onPg, onPg.columns), rowsOf(table, onPg.columns), `${name} on PostgreSQL`);
    if (onPg.columns.includes('rowid') || !table.columns.includes('rowid')) {
      assert.deepEqual(back.rows, table.rows, `${name}: every row, in order`);
    } else {
      // PostgreSQL keeps no rowid for this table: the same rows, renumbered.
      assert.deepEqual(rowsOf(back, onPg.columns), rowsOf(table, onPg.columns), name);
      assert.equal(back.rows.length, table.rows.length, name);
    }
  }
  // A job enqueued after the import takes an id past the imported ones (the identity was restarted).
  assert.deepEqual(await reads(pg), expectedBeforeWrites);
  const [newest] = await store0Jobs(source);
  assert.ok((await pg.queue.enqueue('emails', 'after import')).id > newest!.id);
  // And back to PostgreSQL: the second export is the first, line for line.
  const pgAgain = await tempStore(t, { path: POSTGRES, workflowPath: root });
  await pgAgain.importJsonl([fromCopy]);
  assert.equal(await exportText(pgAgain), fromPg);
});

test('a SQLite store holding a NUL in text does not import into PostgreSQL, and nothing is written', async (t) => {
  const source = await tempStore(t);
  await source.runs.saveState('r1', { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: {}, lastStepOutput: null, status: 'failed', errorMessage: 'a\u0000b' });
  const pg = await tempStore(t, { path: POSTGRES });
  await assert.rejects(pg.importJsonl([await exportText(source)]), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
  assert.equal((await pg.tableStats()).tables.reduce((n, x) => n + x.rows, 0), 0);
});
