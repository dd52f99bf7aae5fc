/**
 * The OpenWorkflow workload: one workflow of three steps that each return a small value,
 * RUNS runs, one OpenWorkflow worker at a concurrency of 64, on each backend side by side
 * in one run: FlowstoreBackend on a file against OpenWorkflow's own node:sqlite backend on
 * a file, and FlowstoreBackend on PostgreSQL against OpenWorkflow's PostgreSQL backend on
 * the same server (FLOWSTORE_BENCH_POSTGRES_URL). Each side: workflows per second from
 * the worker's start to the last run completed, and the worst delay of a 1 ms timer in
 * the worker's process meanwhile. `bench/run.ts` calls it after the queue; alone:
 * `node bench/openworkflow/run.ts`. Side names read `openworkflow/<ground>: <id>` for BENCH_ONLY.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenWorkflow } from 'openworkflow';
import type { Backend } from 'openworkflow/internal';
import { BackendPostgres } from 'openworkflow/postgres';
import { BackendSqlite } from 'openworkflow/sqlite';
import pg from 'pg';
import { FlowstoreBackend } from '../../src/openworkflow/index.ts';
import { peerVersion } from '../queue/side.ts';

export const RUNS = Number(process.env.BENCH_OPENWORKFLOW_RUNS ?? 2000);
export const CONCURRENCY = 64;

interface Side {
  readonly id: string;
  readonly ground: 'sqlite' | 'postgres';
  readonly name: string;
  /** A backend, and what to drop afterwards. */
  open(ctx: { dir: string; postgresUrl?: string }): Promise<{ backend: Backend; drop: () => Promise<void> }>;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client(url);
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

const scratch = () => `bench_ow_${randomUUID().slice(0, 8)}`;
const OW = `openworkflow ${peerVersion('openworkflow')}`;

const SIDES: Side[] = [
  { id: 'flowstore-sqlite', ground: 'sqlite', name: 'flowstore (file)',
    open: async ({ dir }) => ({ backend: await FlowstoreBackend.open({ path: join(dir, 'flowstore.db') }), drop: async () => {} }) },
  { id: 'openworkflow-sqlite', ground: 'sqlite', name: `${OW} node:sqlite (file)`,
    open: async ({ dir }) => ({ backend: BackendSqlite.connect(join(dir, 'openworkflow.db')), drop: async () => {} }) },
  { id: 'flowstore-postgres', ground: 'postgres', name: 'flowstore (PostgreSQL)',
    open: async ({ postgresUrl }) => {
      const schema = scratch();
      return { backend: await FlowstoreBackend.open({ path: postgresUrl!, postgres: { schema } }), drop: () => dropSchema(postgresUrl!, schema) };
    } },
  { id: 'openworkflow-postgres', ground: 'postgres', name: `${OW} PostgreSQL`,
    open: async ({ postgresUrl }) => {
      const schema = scratch();
      return { backend: await BackendPostgres.connect(postgresUrl!, { schema }), drop: () => dropSchema(postgresUrl!, schema) };
    } },
];

export interface OpenWorkflowRow { id: string; name: string; ground: string; workflowsPerSec: number; worstTimerMs: number }

/** The worst delay of a 1 ms timer, watched until `stop()`. */
function watchTimer(): () => number {
  let worst = 0;
  let stopped = false;
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
    if (!stopped) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  return () => {
    stopped = true;
    return worst;
  };
}

async function runSide(side: Side, ctx: { dir: string; postgresUrl?: string }): Promise<OpenWorkflowRow> {
  const { backend, drop } = await side.open(ctx);
  try {
    const ow = new OpenWorkflow({ backend });
    const workflow = ow.defineWorkflow<{ i: number }, number>({ name: 'three-steps' }, async ({ input, step }) => {
      const a = await step.run({ name: 'a' }, () => input.i);
      const b = await step.run({ name: 'b' }, () => a + 1);
      return step.run({ name: 'c' }, () => b + 1);
    });
    for (let i = 0; i < RUNS; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, RUNS - i) }, (_, k) => workflow.run({ i: i + k })));
    }
    const worker = ow.newWorker({ concurrency: CONCURRENCY });
    const stopTimer = watchTimer();
    const started = performance.now();
    await worker.start();
    while ((await backend.countWorkflowRuns()).completed < RUNS) await new Promise((resolve) => setTimeout(resolve, 20));
    const seconds = (performance.now() - started) / 1000;
    const worstTimerMs = stopTimer();
    await worker.stop();
    return { id: side.id, name: side.name, ground: side.ground, workflowsPerSec: RUNS / seconds, worstTimerMs };
  } finally {
    await backend.stop();
    await drop();
  }
}

export interface OpenWorkflowResults {
  readonly runs: number;
  readonly concurrency: number;
  readonly rows: OpenWorkflowRow[];
  readonly notRun: { id: string; reason: string }[];
  readonly targets: { target: string; value: string; met: boolean }[];
}

/**
 * Runs the workload on each side whose `openworkflow/<ground>: <id>` holds one of `wanted`
 * (all when empty), prints a table and the targets, and returns both.
 *
 * @example
 * const results = await runOpenWorkflowBench(['openworkflow/sqlite']);
 */
export async function runOpenWorkflowBench(wanted: readonly string[]): Promise<OpenWorkflowResults> {
  const postgresUrl = process.env.FLOWSTORE_BENCH_POSTGRES_URL;
  const results: OpenWorkflowResults = { runs: RUNS, concurrency: CONCURRENCY, rows: [], notRun: [], targets: [] };
  const sides = SIDES.filter((side) => wanted.length === 0 || wanted.some((part) => `openworkflow/${side.ground}: ${side.id}`.includes(part)));
  if (sides.length === 0) return results;
  for (const side of sides) {
    if (side.ground === 'postgres' && !postgresUrl) {
      results.notRun.push({ id: side.id, reason: 'skipped: FLOWSTORE_BENCH_POSTGRES_URL is not set' });
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), 'flowstore-bench-ow-'));
    try {
      const row = await runSide(side, { dir, ...(postgresUrl ? { postgresUrl } : {}) });
      results.rows.push(row);
      console.log(`openworkflow/${side.ground}: ${side.id}: ${Math.round(row.workflowsPerSec)} workflows/s, 1 ms timer held up to ${row.worstTimerMs.toFixed(1)} ms`);
    } catch (error) {
      process.exitCode = 1;
      results.notRun.push({ id: side.id, reason: `failed: ${(error as Error).stack ?? error}` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log();
  console.log(`OpenWorkflow workload: ${RUNS.toLocaleString('en-US')} workflows of three steps, one worker at concurrency ${CONCURRENCY}`);
  console.log('| side | ground | workflows/s | worst 1 ms timer delay |');
  console.log('|---|---|---|---|');
  for (const row of results.rows) console.log(`| ${row.name} | ${row.ground} | ${Math.round(row.workflowsPerSec)} | ${row.worstTimerMs.toFixed(1)} ms |`);
  for (const { id, reason } of results.notRun) console.log(`| ${id} | ${reason.split('\n')[0]} | | |`);
  const by = new Map(results.rows.map((row) => [row.id, row]));
  const ratio = (a: string, b: string) => (by.has(a) && by.has(b) ? by.get(a)!.workflowsPerSec / by.get(b)!.workflowsPerSec : undefined);
  const onFile = ratio('flowstore-sqlite', 'openworkflow-sqlite');
  if (onFile !== undefined) {
    const timer = by.get('flowstore-sqlite')!.worstTimerMs;
    results.targets.push({ target: 'file: ≥ 3× its node:sqlite backend, timer < 20 ms', value: `${onFile.toFixed(2)}×, ${timer.toFixed(1)} ms`, met: onFile >= 3 && timer < 20 });
  }
  const onPostgres = ratio('flowstore-postgres', 'openworkflow-postgres');
  if (onPostgres !== undefined) {
    results.targets.push({ target: 'PostgreSQL: ≥ 2× its PostgreSQL backend', value: `${onPostgres.toFixed(2)}×`, met: onPostgres >= 2 });
  }
  console.log();
  for (const t of results.targets) console.log(`${t.met ? 'met' : 'NOT MET'}: ${t.target}: ${t.value}`);
  return results;
}

if (import.meta.main) {
  await runOpenWorkflowBench(process.env.BENCH_ONLY?.split('|').filter(Boolean) ?? []);
}
