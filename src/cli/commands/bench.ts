/**
 * `flowstore bench`: the store's throughput on this machine: concurrent upserts,
 * concurrent point reads, a mixed workflow step, and the job queue (a batch enqueued,
 * then worked by a no-op handler). On a fresh file in the temporary directory, or in a
 * directory given, or in a scratch schema of a PostgreSQL server given; removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locate } from '../../backends/index.ts';
import { openStore, type Store, type StoreOptions } from '../../store.ts';
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

/** The job queue: `jobs` small jobs enqueued in one call, then worked at `concurrency` by a no-op handler. */
export async function runQueueBench(store: Store, jobs: number, concurrency: number): Promise<BenchRow[]> {
  const payloads = Array.from({ length: jobs }, (_, n) => ({ payload: { n } }));
  let began = performance.now();
  await store.queue.enqueueMany('bench', payloads);
  let seconds = (performance.now() - began) / 1000;
  const enqueued: BenchRow = { workload: `queue.enqueueMany (${jobs} in one call)`, ops: jobs, seconds, opsPerSecond: Math.round(jobs / seconds) };
  let done = 0;
  const all = Promise.withResolvers<void>();
  began = performance.now();
  const worker = store.queue.work('bench', () => { if (++done === jobs) all.resolve(); }, { concurrency });
  await all.promise;
  seconds = (performance.now() - began) / 1000;
  await worker.stop();
  return [enqueued, { workload: `queue.work no-op jobs (concurrency ${concurrency})`, ops: jobs, seconds, opsPerSecond: Math.round(jobs / seconds) }];
}

/** Where the bench runs: a new file in the temporary directory or in `target` (a directory), or a scratch schema on `target` (a postgres:// URL). */
function benchPlace(target: string | undefined): { options: StoreOptions; remove: () => Promise<void> } {
  if (target !== undefined && locate(target, {}).location.kind === 'server') {
    const schema = `flowstore_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    return {
      options: { path: target, postgres: { schema } },
      remove: async () => {
        // Loaded here, not with the command line: the other commands start without pg.
        const [{ default: pg }, { quoteIdentifier }] = await Promise.all([import('pg'), import('../../backends/postgres/connection.ts')]);
        const client = new pg.Client({ connectionString: target });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  }
  if (target !== undefined && !(existsSync(target) && statSync(target).isDirectory())) throw new UsageError(`${target} is not a directory or a postgres:// URL`);
  const dir = mkdtempSync(join(target ?? tmpdir(), 'flowstore-bench-'));
  return { options: { path: join(dir, 'bench.db') }, remove: async () => rmSync(dir, { recursive: true, force: true }) };
}

export const bench: Command = {
  name: 'bench',
  summary: 'throughput benchmark on a scratch store, as an ops/s table',
  usage: 'flowstore bench [dir | postgres://…] [--ops N] [--concurrency C] [--json]',
  help: [
    'Runs on a new file in the temporary directory, or in the directory given, or in a scratch schema of',
    'the PostgreSQL server given; the file or the schema is removed afterwards. It never touches your store.',
  ].join('\n'),
  options: { ops: { type: 'string' }, concurrency: { type: 'string' } },
  async run({ positionals, values, json, io }) {
    if (positionals.length > 1) throw new UsageError('bench takes at most one place: a directory or a postgres:// URL');
    const ops = Number(values.ops ?? 20_000);
    const concurrency = Number(values.concurrency ?? 64);
    if (!Number.isInteger(ops) || ops < 1 || ops > 10_000_000) throw new UsageError('--ops must be an integer from 1 to 10000000');
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) throw new UsageError('--concurrency must be an integer from 1 to 10000');
    const place = benchPlace(positionals[0]);
    try {
      const store = await openStore(place.options);
      let rows: BenchRow[];
      let metrics;
      try {
        const bar = progress(io, 'bench', 'ops');
        rows = [...await runBench(store, ops, concurrency, bar), ...await runQueueBench(store, ops, concurrency)];
        metrics = await store.metrics();
        bar.finish('done');
      } finally {
        await store.close();
      }
      const report = { backend: store.backend, rows, averageWriteBatch: metrics.averageWriteBatch, commitMs: metrics.commitMs };
      if (json) printJson(io, report);
      else {
        io.stdout.write(table(rows.map((r) => ({ ...r, seconds: Number(r.seconds.toFixed(3)), 'ops/s': r.opsPerSecond, opsPerSecond: undefined })), ['workload', 'ops', 'seconds', 'ops/s']));
        io.stdout.write(`average write batch ${metrics.averageWriteBatch.toFixed(1)}, commit p50 ${metrics.commitMs.p50.toFixed(2)} ms, p99 ${metrics.commitMs.p99.toFixed(2)} ms\n`);
      }
      return 0;
    } finally {
      await place.remove();
    }
  },
};
