/** store.runs: listing, stats, failures, cleanup, bad input, and the seed document's SQL run unchanged. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../src/index.ts';
import { BACKENDS, tempStore } from './helpers.ts';

type Status = 'running' | 'completed' | 'failed' | 'paused';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

function state(pipeline: string, status: Status, extra: Record<string, unknown> = {}) {
  return { pipelineId: pipeline, pipelineName: `${pipeline} pipeline`, pipelineVersion: '1.0.0', currentStepIndex: 1, pipelineContext: {}, lastStepOutput: null, status, totalSteps: 3, ...extra };
}

async function seed(store: Store): Promise<void> {
  await store.runs.saveState('r1', state('etl', 'completed', { executionTimeMs: 1000, memoryUsageMb: 10, createdAt: hoursAgo(5), updatedAt: hoursAgo(4) }));
  await store.runs.saveState('r2', state('etl', 'failed', { executionTimeMs: 3000, errorMessage: 'boom', createdAt: hoursAgo(3), updatedAt: hoursAgo(2) }));
  await store.runs.saveState('r3', state('ml', 'running', { executionTimeMs: 8000, memoryUsageMb: 30, createdAt: hoursAgo(2), updatedAt: hoursAgo(1) }));
  await store.runs.saveState('r4', state('ml', 'failed', { errorMessage: 'old', createdAt: hoursAgo(24 * 40), updatedAt: hoursAgo(24 * 40) }));
  await store.runs.saveState('r5', state('etl', 'completed', { createdAt: hoursAgo(24 * 40), updatedAt: hoursAgo(24 * 40) }));
  await store.runs.saveState('r6', state('ml', 'running', { createdAt: hoursAgo(24 * 40), updatedAt: hoursAgo(24 * 40) }));
}

for (const backend of BACKENDS) {
  describe(`store.runs queries on ${backend.name}`, () => {
    test('listWorkflows: newest first, filters, pagination', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await seed(store);
      assert.deepEqual((await store.runs.listWorkflows()).map((w) => w.runId), ['r3', 'r2', 'r1', 'r6', 'r5', 'r4']);
      assert.deepEqual((await store.runs.listWorkflows({ status: 'failed' })).map((w) => w.runId), ['r2', 'r4']);
      assert.deepEqual((await store.runs.listWorkflows({ pipelineId: 'ml' })).map((w) => w.runId), ['r3', 'r6', 'r4']);
      assert.deepEqual((await store.runs.listWorkflows({ pipelineId: 'ml', status: 'running' })).map((w) => w.runId), ['r3', 'r6']);
      assert.deepEqual((await store.runs.listWorkflows({ limit: 2, offset: 1 })).map((w) => w.runId), ['r2', 'r1']);
      const [first] = await store.runs.listWorkflows({ limit: 1 });
      assert.equal('pipelineContext' in first!, false, 'listing leaves the values out');
    });

    test('getWorkflowStats, getFailedWorkflows and cleanupOldWorkflows', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await seed(store);
      const stats = await store.runs.getWorkflowStats();
      assert.deepEqual(stats, { totalWorkflows: 6, statusCounts: { completed: 2, failed: 2, running: 2 }, recentWorkflows24h: 3, averageExecutionTimeMs: 4000 });
      assert.deepEqual((await store.runs.getFailedWorkflows()).map((w) => [w.runId, w.errorMessage]), [['r2', 'boom']]);
      assert.deepEqual((await store.runs.getFailedWorkflows({ hoursBack: 24 * 50 })).map((w) => w.runId), ['r2', 'r4']);
      // Old finished runs go; an old running one stays.
      assert.equal(await store.runs.cleanupOldWorkflows({ daysOld: 30 }), 2);
      assert.deepEqual((await store.runs.listWorkflows()).map((w) => w.runId), ['r3', 'r2', 'r1', 'r6']);
      assert.equal(await store.runs.cleanupOldWorkflows(), 0);
    });

    test('a second save keeps createdAt and moves updatedAt', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('r', state('p', 'running', { createdAt: hoursAgo(10) }));
      const first = await store.runs.loadState('r');
      await store.runs.saveState('r', state('p', 'completed'));
      const second = await store.runs.loadState('r');
      assert.equal(second!.createdAt.getTime(), first!.createdAt.getTime());
      assert.equal(second!.status, 'completed');
      assert.ok(second!.updatedAt.getTime() > first!.createdAt.getTime());
    });

    test('saves that keep the status and pipeline, and saves that change them, leave every index right', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const ids = async (filter: { status?: Status; pipelineId?: string }) => (await store.runs.listWorkflows(filter)).map((w) => w.runId);
      await store.runs.saveState('r', state('a', 'running'));
      const at = hoursAgo(1);
      await store.runs.saveState('r', state('a', 'running', { currentStepIndex: 2, updatedAt: at }));
      const kept = await store.runs.loadState('r');
      assert.deepEqual([kept!.currentStepIndex, kept!.updatedAt.getTime()], [2, at.getTime()]);
      await store.runs.saveState('r', state('b', 'failed', { errorMessage: 'boom' }));
      assert.deepEqual([await ids({ status: 'running' }), await ids({ status: 'failed' }), await ids({ pipelineId: 'a' }), await ids({ pipelineId: 'b' })], [[], ['r'], [], ['r']]);
      await store.runs.saveState('r', state('b', 'failed', { createdAt: hoursAgo(50) }));
      assert.deepEqual((await store.runs.getFailedWorkflows({ hoursBack: 1 })).map((w) => w.runId), ['r']);
      assert.ok((await store.runs.loadState('r'))!.createdAt.getTime() < hoursAgo(49).getTime());
      assert.deepEqual(await store.checkIntegrity(), { ok: true, messages: ['ok'] });
    });

    test('SQL-looking strings are data, stored verbatim', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const evil = "x'); DROP TABLE workflow_state; --";
      await store.runs.saveState(evil, state(evil, 'failed', { errorMessage: evil, pipelineContext: { evil } }));
      const loaded = await store.runs.loadState(evil);
      assert.equal(loaded!.runId, evil);
      assert.equal(loaded!.pipelineId, evil);
      assert.equal(loaded!.errorMessage, evil);
      assert.deepEqual((await store.runs.listWorkflows({ pipelineId: evil })).map((w) => w.runId), [evil]);
    });
  });
}

describe('store.runs bad input', () => {
  const good = state('p', 'running');
  // One store for every case: each must leave it empty, which each case checks.
  let store: Store;
  before(async () => { store = await openStore({ path: ':memory:', readers: 1 }); });
  after(() => store.close());
  const cases: [string, (store: Store) => Promise<unknown>, string][] = [
    ['empty runId', (s) => s.runs.saveState('', good), 'runId'],
    ['oversized runId', (s) => s.runs.saveState('x'.repeat(600), good), 'runId'],
    ['runId not a string', (s) => s.runs.saveState(42 as never, good), 'runId'],
    ['missing pipelineId', (s) => s.runs.saveState('r', { ...good, pipelineId: undefined } as never), 'state.pipelineId'],
    ['unknown status', (s) => s.runs.saveState('r', { ...good, status: 'exploded' } as never), 'state.status'],
    ['negative step index', (s) => s.runs.saveState('r', { ...good, currentStepIndex: -1 }), 'state.currentStepIndex'],
    ['non-finite memory', (s) => s.runs.saveState('r', { ...good, memoryUsageMb: Number.POSITIVE_INFINITY }), 'state.memoryUsageMb'],
    ['NaN execution time', (s) => s.runs.saveState('r', { ...good, executionTimeMs: Number.NaN }), 'state.executionTimeMs'],
    ['invalid createdAt', (s) => s.runs.saveState('r', { ...good, createdAt: new Date('nope') }), 'state.createdAt'],
    ['unknown state field', (s) => s.runs.saveState('r', { ...good, colour: 'red' } as never), 'state.colour'],
    ['mismatched state.runId', (s) => s.runs.saveState('r', { ...good, runId: 'other' }), 'state.runId'],
    ['state not an object', (s) => s.runs.saveState('r', null as never), 'state'],
    ['negative limit', (s) => s.runs.listWorkflows({ limit: -1 }), 'limit'],
    ['zero limit', (s) => s.runs.listWorkflows({ limit: 0 }), 'limit'],
    ['fractional offset', (s) => s.runs.listWorkflows({ offset: 1.5 }), 'offset'],
    ['unknown list filter', (s) => s.runs.listWorkflows({ state: 'x' } as never), 'state'],
    ['negative hoursBack', (s) => s.runs.getFailedWorkflows({ hoursBack: -2 }), 'hoursBack'],
    ['infinite daysOld', (s) => s.runs.cleanupOldWorkflows({ daysOld: Number.POSITIVE_INFINITY }), 'daysOld'],
    ['loadState of a number', (s) => s.runs.loadState(1 as never), 'runId'],
    ['a function in the context', (s) => s.runs.saveState('r', { ...good, pipelineContext: { f: () => 1 } }), 'state.pipelineContext'],
    ['a class instance in the last output', (s) => s.runs.saveState('r', { ...good, lastStepOutput: new URL('http://x') }), 'state.lastStepOutput'],
  ];
  for (const [name, call, field] of cases) {
    test(`${name} is FLOWSTORE_INVALID_ARGUMENT naming ${field}, and changes nothing`, async () => {
      await assert.rejects(call(store), (error: { code: string; details: { field?: string } }) => {
        assert.equal(error.code, 'FLOWSTORE_INVALID_ARGUMENT');
        assert.equal(error.details.field, field);
        return true;
      });
      assert.deepEqual(await store.query('SELECT COUNT(*) AS n FROM workflow_state'), [{ n: 0 }]);
    });
  }
});

describe("the seed document's direct SQL runs unchanged", () => {
  const queries = {
    averageByPipeline: `SELECT pipeline_name, COUNT(*) as total_runs, AVG(execution_time_ms) as avg_execution_time,
      MAX(execution_time_ms) as max_execution_time, MIN(execution_time_ms) as min_execution_time
      FROM workflow_state WHERE execution_time_ms IS NOT NULL GROUP BY pipeline_name ORDER BY avg_execution_time DESC`,
    memory: `SELECT pipeline_name, AVG(memory_usage_mb) as avg_memory_usage, MAX(memory_usage_mb) as max_memory_usage,
      COUNT(*) as total_runs FROM workflow_state WHERE memory_usage_mb IS NOT NULL GROUP BY pipeline_name`,
    slow: `SELECT run_id, pipeline_name, execution_time_ms, created_at FROM workflow_state WHERE execution_time_ms > 5000 ORDER BY execution_time_ms DESC`,
    errors: `SELECT error_message, COUNT(*) as error_count, pipeline_name FROM workflow_state WHERE error_message IS NOT NULL
      GROUP BY error_message, pipeline_name ORDER BY error_count DESC`,
    failedSteps: `SELECT run_id, pipeline_name, current_step_index, error_message, updated_at FROM workflow_state WHERE status = 'failed' ORDER BY updated_at DESC`,
    failureRate: `SELECT pipeline_name, COUNT(*) as total_runs, SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) as failed_runs,
      ROUND((SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) * 100.0 / COUNT(*)), 2) as failure_rate_percent
      FROM workflow_state GROUP BY pipeline_name ORDER BY failure_rate_percent DESC`,
    byHour: `SELECT strftime('%Y-%m-%d %H:00:00', created_at) as hour, COUNT(*) as workflows_started,
      SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) as completed, SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) as failed
      FROM workflow_state WHERE created_at >= datetime('now', '-7 days') GROUP BY hour ORDER BY hour DESC`,
    active: `SELECT pipeline_name, COUNT(*) as total_runs, COUNT(DISTINCT DATE(created_at)) as active_days
      FROM workflow_state WHERE created_at >= datetime('now', '-30 days') GROUP BY pipeline_name ORDER BY total_runs DESC`,
    progress: `SELECT pipeline_name, AVG(current_step_index) as avg_step_progress, MAX(current_step_index) as max_steps,
      COUNT(*) as total_workflows FROM workflow_state WHERE status = 'running' GROUP BY pipeline_name`,
    indexes: `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'workflow_state'`,
    integrity: 'PRAGMA integrity_check',
    plan: `EXPLAIN QUERY PLAN SELECT * FROM workflow_state WHERE status = 'running'`,
  };

  test('every query gives the right answer', async (t) => {
    const store = await tempStore(t);
    await seed(store);
    const q = (sql: string) => store.query(sql);
    assert.deepEqual(await q(queries.averageByPipeline), [
      { pipeline_name: 'ml pipeline', total_runs: 1, avg_execution_time: 8000, max_execution_time: 8000, min_execution_time: 8000 },
      { pipeline_name: 'etl pipeline', total_runs: 2, avg_execution_time: 2000, max_execution_time: 3000, min_execution_time: 1000 },
    ]);
    assert.deepEqual(await q(queries.memory), [
      { pipeline_name: 'etl pipeline', avg_memory_usage: 10, max_memory_usage: 10, total_runs: 1 },
      { pipeline_name: 'ml pipeline', avg_memory_usage: 30, max_memory_usage: 30, total_runs: 1 },
    ]);
    assert.deepEqual((await q(queries.slow)).map((r) => r.run_id), ['r3']);
    assert.deepEqual(await q(queries.errors), [{ error_message: 'boom', error_count: 1, pipeline_name: 'etl pipeline' }, { error_message: 'old', error_count: 1, pipeline_name: 'ml pipeline' }]);
    assert.deepEqual((await q(queries.failedSteps)).map((r) => r.run_id), ['r2', 'r4']);
    // Both pipelines tie at 33.33 %: the document's ORDER BY leaves their order open.
    assert.deepEqual((await q(queries.failureRate)).sort((a, b) => String(a.pipeline_name).localeCompare(String(b.pipeline_name))), [
      { pipeline_name: 'etl pipeline', total_runs: 3, failed_runs: 1, failure_rate_percent: 33.33 },
      { pipeline_name: 'ml pipeline', total_runs: 3, failed_runs: 1, failure_rate_percent: 33.33 },
    ]);
    const hours = await q(queries.byHour);
    assert.equal(hours.reduce((n, r) => n + (r.workflows_started as number), 0), 3);
    // r1 and r2 began 5 and 3 hours ago: one UTC day, or two in the first hours after midnight.
    const etlDays = new Set([5, 3].map((h) => hoursAgo(h).toISOString().slice(0, 10))).size;
    assert.deepEqual(await q(queries.active), [{ pipeline_name: 'etl pipeline', total_runs: 2, active_days: etlDays }, { pipeline_name: 'ml pipeline', total_runs: 1, active_days: 1 }]);
    assert.deepEqual(await q(queries.progress), [{ pipeline_name: 'ml pipeline', avg_step_progress: 1, max_steps: 1, total_workflows: 2 }]);
    const names = (await q(queries.indexes)).map((r) => r.name);
    for (const name of ['idx_workflow_state_status', 'idx_workflow_state_created_at', 'idx_workflow_state_pipeline_id']) assert.ok(names.includes(name), name);
    assert.deepEqual(await q(queries.integrity), [{ integrity_check: 'ok' }]);
    assert.match(String((await q(queries.plan))[0]!.detail), /USING INDEX idx_workflow_state_status/);
  });

  test('listing by status or pipeline newest first reads an index, with no sort step', async (t) => {
    const store = await tempStore(t, { path: ':memory:' });
    for (const where of ["status = 'failed'", "pipeline_id = 'etl'"]) {
      const plan = (await store.query(`EXPLAIN QUERY PLAN SELECT run_id FROM workflow_state WHERE ${where} ORDER BY created_at DESC, run_id DESC LIMIT 10`)).map((r) => String(r.detail));
      assert.ok(plan.some((d) => d.includes('USING INDEX')), plan.join('; '));
    }
  });
});
