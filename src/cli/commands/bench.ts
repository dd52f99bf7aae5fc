/**
 * `flowstore bench`: the store's throughput on this machine, on a fresh temporary file:
 * concurrent upserts, concurrent point reads, and a mixed workflow step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../store.ts';
import { UsageError, type Command } from '../command.ts';
import { printJson, table } from '../format.ts';
import { progress, type Progress } from '../progress.ts';

export interface BenchRow {
  workload: string;
  ops: number;
  seconds: number;
  opsPerSecond: number;
}

const CONTEXT = { step: 'transform', rows: 1000, columns: ['id', 'name', 'amount', 'created_at'], note: 'x'.repeat(600) };

/** Runs `count` operations with at most `concurrency` in flight. */
async function timed(name: string, count: number, concurrency: number, bar: Progress, start: number, total: number, one: (i: number) => Promise<unknown>): Promise<BenchRow> {
  let next = 0;
  let done = 0;
  const began = performance.now();
  const lane = async () => {
    while (next < count) {
      await one(next++);
      done++;
      if (done % 256 === 0) bar.update(start + done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  const seconds = (performance.now() - began) / 1000;
  return { workload: name, ops: count, seconds, opsPerSecond: Math.round(count / seconds) };
}

export async function runBench(store: Store, ops: number, concurrency: number, bar: Progress): Promise<BenchRow[]> {
  const total = ops * 3;
  const save = (i: number, status: 'running' | 'completed' = 'running') => store.runs.saveState(`run_${i % ops}`, {
    pipelineId: `pipeline_${i % 16}`, pipelineName: 'Bench', pipelineVersion: '1', currentStepIndex: i % 10, totalSteps: 10,
    pipelineContext: { ...CONTEXT, i }, lastStepOutput: { ok: true, i }, status,
  });
  const rows = [
    await timed(`upsert runs.saveState (${concurrency} in flight)`, ops, concurrency, bar, 0, total, (i) => save(i)),
    await timed(`read runs.loadState (${concurrency} in flight)`, ops, concurrency, bar, ops, total, (i) => store.runs.loadState(`run_${(i * 7919) % ops}`)),
    await timed(`step: load + dag delta + save (${concurrency} in flight)`, ops, concurrency, bar, 2 * ops, total, async (i) => {
      await store.runs.loadState(`run_${i % ops}`);
      await Promise.all([store.dag.saveCacheDelta(`dag_${i % 64}`, { [`node_${i % 32}`]: { output: i } }), save(i, 'completed')]);
    }),
  ];
  bar.update(total, total);
  return rows;
}

export const bench: Command = {
  name: 'bench',
  summary: 'throughput benchmark on a temporary store, as an ops/s table',
  usage: 'flowstore bench [--ops N] [--concurrency C] [--json]',
  help: 'Runs on a fresh file in the temporary directory, deleted afterwards; never touches your database.',
  options: { ops: { type: 'string' }, concurrency: { type: 'string' } },
  async run({ positionals, values, json, io }) {
    if (positionals.length > 0) throw new UsageError('bench takes no database: it runs on a temporary file');
    const ops = Number(values.ops ?? 20_000);
    const concurrency = Number(values.concurrency ?? 64);
    if (!Number.isInteger(ops) || ops < 1 || ops > 10_000_000) throw new UsageError('--ops must be an integer from 1 to 10000000');
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) throw new UsageError('--concurrency must be an integer from 1 to 10000');
    const dir = mkdtempSync(join(tmpdir(), 'flowstore-bench-'));
    try {
      const store = await openStore({ path: join(dir, 'bench.db') });
      let rows: BenchRow[];
      let metrics;
      try {
        const bar = progress(io, 'bench', 'ops');
        rows = await runBench(store, ops, concurrency, bar);
        metrics = await store.metrics();
        bar.finish('done');
      } finally {
        await store.close();
      }
      const report = { rows, averageWriteBatch: metrics.averageWriteBatch, commitMs: metrics.commitMs };
      if (json) printJson(io, report);
      else {
        io.stdout.write(table(rows.map((r) => ({ ...r, seconds: Number(r.seconds.toFixed(3)), 'ops/s': r.opsPerSecond, opsPerSecond: undefined })), ['workload', 'ops', 'seconds', 'ops/s']));
        io.stdout.write(`average write batch ${metrics.averageWriteBatch.toFixed(1)}, commit p50 ${metrics.commitMs.p50.toFixed(2)} ms, p99 ${metrics.commitMs.p99.toFixed(2)} ms\n`);
      }
      return 0;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
