/**
 * OpenWorkflow's own worker and client (the npm package) on FlowstoreBackend, in real
 * processes, on a file and on PostgreSQL: workflows with several steps, a sleep, a step
 * that fails twice and then succeeds, a child workflow, a signal and a cancel; and a
 * worker process killed with SIGKILL mid-workflow, replaced by another that takes its runs
 * over once their leases end (OpenWorkflow's 30 s), every workflow finishing with each
 * step's result recorded once.
 */
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { describe, test, type TestContext } from 'node:test';
import { OpenWorkflow } from 'openworkflow';
import pg from 'pg';
import type { StoreOptions } from '../src/index.ts';
import { FlowstoreBackend } from '../src/openworkflow/index.ts';
import { defineWorkflows } from './fixtures/openworkflow-workflows.ts';
import { cleanup, POSTGRES, tempLocation, waitFor } from './helpers.ts';
import { REAL_POSTGRES_URL } from './helpers-postgres.ts';
import { collect, run, stopChild, waitForLine } from './helpers-process.ts';

const PLACES = [{ name: 'file', path: undefined }, { name: 'postgres', path: POSTGRES }] as const;

/** Worker processes on `where`, stopped (SIGTERM) at the end of the test unless killed. */
function workers(t: TestContext, where: StoreOptions, concurrency: number) {
  const live = new Set<ChildProcessWithoutNullStreams>();
  cleanup(t, () => Promise.all([...live].map(stopChild)));
  return async () => {
    const child = run('openworkflow-worker.ts', [where.path!, String(concurrency), ...(where.postgres?.schema ? [where.postgres.schema] : [])]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (code) t.diagnostic(`a worker process exited with ${code ?? signal}: ${stderr.slice(0, 2_000)}`);
    });
    live.add(child);
    await waitForLine(child, 'ready');
    return child;
  };
}

/**
 * Whether the server is running none of a stopped worker's statements. A COMMIT it sent just
 * before it was stopped still runs on the server, so a read taken before it ends misses what
 * it commits: a whole batch of runs completed at once (a CI run failed so). Once none of its
 * statements runs, it sends no other, and what it has not committed rolls back when it is
 * killed. (On PGlite one session serves every connection and names none: taken as true.)
 */
async function runsNothing(where: StoreOptions): Promise<boolean> {
  if (!REAL_POSTGRES_URL || !where.postgres?.schema) return true;
  const client = new pg.Client({ connectionString: REAL_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'", [`ow_${where.postgres.schema}`]);
    return rows[0]!.n === 0;
  } finally {
    await client.end();
  }
}

/** Each step of the run has exactly one completed attempt: its result was recorded once. */
async function assertStepsRecordedOnce(backend: FlowstoreBackend, runId: string, steps: readonly string[]): Promise<void> {
  const attempts = (await backend.listStepAttempts({ workflowRunId: runId, limit: 1000 })).data;
  for (const name of steps) {
    const completed = attempts.filter((a) => a.stepName === name && a.status === 'completed');
    assert.equal(completed.length, 1, `run ${runId}: step ${name} completed ${completed.length} times`);
  }
}

for (const place of PLACES) {
  describe(`OpenWorkflow's worker and client on FlowstoreBackend, ${place.name}`, () => {
    test('steps, a sleep, a step that fails twice, a child workflow, a signal and a cancel', async (t) => {
      const where = await tempLocation(t, place.path);
      const backend = await FlowstoreBackend.open({ ...where, readers: 1 });
      cleanup(t, () => backend.stop());
      const ow = new OpenWorkflow({ backend });
      const flows = defineWorkflows(ow);
      await workers(t, where, 8)();

      const handles = await Promise.all([1, 2, 3].map((n) => flows.full.run({ n })));
      const forever = await flows.forever.run();
      // Each run waits for its own signal: sent once its wait step is there to receive it.
      await Promise.all(handles.map((h) => waitFor(async () =>
        (await ow.sendSignal({ signal: `go:${h.workflowRun.id}`, data: { ok: true } })).workflowRunIds.length > 0, `run ${h.workflowRun.id} to wait for its signal`, 60_000)));
      const results = await Promise.all(handles.map((h) => h.result({ timeoutMs: 60_000 })));
      assert.deepEqual(results, [1, 2, 3].map((n) => ({ one: n + 1, shaky: 'steady', doubled: (n + 1) * 2, signal: { ok: true }, three: { done: true } })));
      for (const h of handles) {
        await assertStepsRecordedOnce(backend, h.workflowRun.id, ['one', 'nap', 'flaky', 'child', 'three']);
        const attempts = (await backend.listStepAttempts({ workflowRunId: h.workflowRun.id })).data;
        assert.equal(attempts.filter((a) => a.stepName === 'flaky' && a.status === 'failed').length, 2, 'the flaky step failed twice first');
        const link = attempts.find((a) => a.kind === 'workflow')!;
        const child = await backend.getWorkflowRun({ workflowRunId: link.childWorkflowRunId! });
        assert.deepEqual([child?.status, child?.output, child?.parentStepAttemptId], ['completed', (results[handles.indexOf(h)] as { doubled: number }).doubled, link.id]);
      }

      await waitFor(async () => (await backend.listStepAttempts({ workflowRunId: forever.workflowRun.id })).data.some((a) => a.kind === 'sleep'), 'the long sleep');
      await forever.cancel();
      await forever.cancel();
      const canceled = await backend.getWorkflowRun({ workflowRunId: forever.workflowRun.id });
      assert.equal(canceled?.status, 'canceled');
      await assert.rejects(ow.cancelWorkflowRun(handles[0]!.workflowRun.id), /Cannot cancel workflow run .* with status completed/);
    });

    test('a worker killed with SIGKILL mid-workflow is replaced; every workflow finishes, each step recorded once', { timeout: 180_000 }, async (t) => {
      const where = await tempLocation(t, place.path);
      const backend = await FlowstoreBackend.open({ ...where, readers: 1 });
      cleanup(t, () => backend.stop());
      const ow = new OpenWorkflow({ backend });
      const flows = defineWorkflows(ow);
      const start = workers(t, where, 8);
      const first = await start();
      const handles = await Promise.all(Array.from({ length: 32 }, (_, i) => flows.slow.run({ i })));
      // Mid-workflow: some steps recorded, the first worker still holding runs.
      // (8 at a time, each of three 300 ms steps: the first 8 finish after about a second, 24 still to go.)
      // Stopped (SIGSTOP) before it is looked at, so that what it holds then is what it holds when
      // killed: between one batch and its next claim it holds none, and a look then is let go.
      let held: Awaited<ReturnType<typeof backend.listWorkflowRuns>>['data'] = [];
      await waitFor(async () => {
        if ((await backend.countWorkflowRuns()).completed < 1) return false;
        first.kill('SIGSTOP');
        await waitFor(() => runsNothing(where), 'the stopped worker\'s statements to end');
        held = (await backend.listWorkflowRuns({ status: 'running' })).data;
        if (held.length === 0) first.kill('SIGCONT');
        return held.length > 0;
      }, 'some workflows to finish while the worker holds others', 60_000);
      assert.ok(held.length > 0, 'the killed worker held runs mid-workflow');
      const killed = collect(first);
      first.kill('SIGKILL');
      assert.equal((await killed).signal, 'SIGKILL');
      await start();
      const results = await Promise.all(handles.map((h) => h.result({ timeoutMs: 120_000 })));
      assert.deepEqual(results, Array.from({ length: 32 }, (_, i) => i + 3));
      for (const h of handles) await assertStepsRecordedOnce(backend, h.workflowRun.id, ['a', 'b', 'c']);
      const retaken = await Promise.all(held.map((r) => backend.getWorkflowRun({ workflowRunId: r.id })));
      assert.ok(retaken.every((r) => r!.status === 'completed' && r!.attempts >= 2), 'the runs it held were claimed again, as a new attempt');
    });
  });
}
