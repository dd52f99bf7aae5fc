/**
 * A workflow runner's step, as PERFORMANCE.md lists it: load the run's state, save the
 * node's outputs as an artifact delta, update the run state, append an event. 64 steps
 * in flight through flowstore; raw node:sqlite runs the same statements on the main
 * thread, 250 steps (1,000 operations) per transaction.
 */
import { join } from 'node:path';
import type { StatementSync } from 'node:sqlite';
import { fromJsonText, sqlNow, toJsonText } from '../../src/codec.ts';
import { prepareAgents } from '../../src/domains/agents/sqlite.ts';
import { prepareDag } from '../../src/domains/dag/sqlite.ts';
import { prepareRuns } from '../../src/domains/runs/sqlite.ts';
import { openStore, type WorkflowStateInput } from '../../src/index.ts';
import type { BenchCase } from '../case.ts';
import { backgroundDone, inFlight, openRaw } from '../shared.ts';

const STEPS = 250;
const RUNS = 1000;

function state(i: number): WorkflowStateInput {
  return {
    pipelineId: `pipeline_${i % 20}`, pipelineName: 'Mixed', pipelineVersion: '1.0.0', currentStepIndex: i % 7,
    pipelineContext: { input: `s3://bucket/${i}.csv`, rows: i * 13, notes: 'x'.repeat(400) }, lastStepOutput: { ok: true, rows: i },
    status: 'running', totalSteps: 7,
  };
}
const outputs = (i: number) => ({ [`node_${i % 7}`]: { rows: i * 13, file: `s3://bucket/out/${i}.parquet`, ok: true } });

const mixed: BenchCase = {
  name: 'workflow step (load state, artifact delta, save state, event), 64 in flight',
  rawLabel: 'the same statements, main thread, 250 steps per transaction',
  ops: STEPS * 4,
  async setup(ctx) {
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
    await inFlight(RUNS, (i) => store.runs.saveState(`run_${i}`, state(i)));
    let n = 0;
    const step = async (i: number) => {
      const runId = `run_${i % RUNS}`;
      await store.runs.loadState(runId);
      await store.dag.saveCacheDelta(runId, outputs(i));
      await store.runs.saveState(runId, state(i));
      await store.agents.saveEvent({ sessionId: runId, eventType: 'step', actorType: 'runner', actorId: 'bench', content: `step ${i} done` });
    };

    // raw: flowstore's own statements on a file made by the same migrations.
    await (await openStore({ path: join(ctx.dir, 'raw.db') })).close();
    const db = openRaw(ctx, 'raw.db', null);
    const runs = prepareRuns(db);
    // Rows as objects, as node:sqlite gives them unless told otherwise (flowstore's own reads take arrays).
    (runs.load as StatementSync).setReturnArrays(false);
    const dag = prepareDag(db);
    const agents = prepareAgents(db);
    const encoded = (i: number) => {
      const s = state(i);
      return [s.pipelineId, s.pipelineName, s.pipelineVersion, s.currentStepIndex ?? 0, toJsonText(s.pipelineContext), toJsonText(s.lastStepOutput), s.status, null, null, s.totalSteps ?? 0, null, null, null] as const;
    };
    db.exec('BEGIN');
    for (let i = 0; i < RUNS; i++) runs.saveRun([`run_${i}`, ...encoded(i), sqlNow()]);
    db.exec('COMMIT');
    const rawStep = (i: number) => {
      const runId = `run_${i % RUNS}`;
      const row = runs.load.get(runId) as { pipeline_context: string; last_step_output: string };
      fromJsonText(row.pipeline_context);
      fromJsonText(row.last_step_output);
      for (const [node, values] of Object.entries(outputs(i))) {
        for (const [key, value] of Object.entries(values)) dag.artifacts.upsert.run(runId, node, key, toJsonText(value), sqlNow());
      }
      runs.saveRun([runId, ...encoded(i), sqlNow()]);
      const now = Math.floor(Date.now() / 1000);
      agents.insertEvent.run(`raw_${n}_${i}`, 'step', now, runId, 'runner', 'bench', `step ${i} done`, null, null, now);
    };
    return {
      flowstore: () => {
        const base = (n += STEPS);
        return inFlight(STEPS, (i) => step(base + i));
      },
      drained: backgroundDone,
      raw: () => {
        const base = (n += STEPS);
        db.exec('BEGIN IMMEDIATE');
        for (let i = 0; i < STEPS; i++) rawStep(base + i);
        db.exec('COMMIT');
      },
      teardown: async () => {
        await store.close();
        db.close();
      },
    };
  },
};

export const cases: BenchCase[] = [mixed];
