/**
 * `npm run bench`: every case in bench/cases/ through flowstore and through raw
 * node:sqlite in the same run, printed side by side with their ratio, and written to
 * bench/results/latest.json. `BENCH_TIME_MS` sets the time per side; `BENCH_ROUNDS`
 * how many turns that time is cut into; `BENCH_ONLY` keeps the cases whose name holds
 * one of its `|`-separated substrings. Then the queue workload (bench/queue/), whose sides
 * are named `queue/<ground>: <side>`: `BENCH_ONLY=queue` runs only those; the OpenWorkflow
 * workload (bench/openworkflow/), `openworkflow/<ground>: <side>`. Then start-up
 * (bench/startup/): fresh processes, `BENCH_ONLY=startup` runs only that.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import type { BenchCase, BenchPair } from './case.ts';
import { runOpenWorkflowBench } from './openworkflow/run.ts';
import { runQueueBench } from './queue/run.ts';
import { runStartupBench } from './startup/run.ts';

interface Row {
  case: string;
  raw: string;
  flowstoreOpsPerSec: number;
  rawOpsPerSec: number;
  ratio: number;
  target?: number;
  met?: boolean;
  flowstoreP50Ms: number;
  flowstoreP99Ms: number;
  rawP50Ms: number;
  rawP99Ms: number;
  notes?: Record<string, number | string>;
}

const timeMs = Number(process.env.BENCH_TIME_MS ?? 1500);
/**
 * The two sides take turns, flowstore then raw, then raw then flowstore, and so on:
 * run one after the other, each saw a different stretch of the machine's drift (a sync
 * to this VM's disk takes 20-40% longer in some seconds than in others).
 */
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 4));
const only = process.env.BENCH_ONLY;
const SIDES = ['flowstore', 'raw'] as const;
type Side = (typeof SIDES)[number];

async function loadCases(): Promise<BenchCase[]> {
  const dir = new URL('./cases/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const cases: BenchCase[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, dir).href)) as { cases: BenchCase[] };
    cases.push(...module.cases);
  }
  const wanted = only?.split('|').filter(Boolean) ?? [];
  return wanted.length > 0 ? cases.filter((c) => wanted.some((part) => c.name.includes(part))) : cases;
}

/** Each side's latency samples (ms per iteration) over every round. */
async function measure(pair: BenchPair): Promise<Record<Side, number[]>> {
  const samples: Record<Side, number[]> = { flowstore: [], raw: [] };
  // tinybench calls a task once, untimed and not awaited, to learn whether it is async,
  // unless told: that stray call would overlap the first timed one. Raw is sync in most
  // cases; one awaited call here finds out.
  const first = pair.raw();
  const rawIsAsync = typeof (first as Promise<unknown> | undefined)?.then === 'function';
  await first;
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time: timeMs / rounds, warmup: round === 0, warmupTime: Math.min(500, timeMs / 3), retainSamples: true });
    const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
    for (const side of order) {
      if (side === 'flowstore') bench.add(side, () => pair.flowstore(), { async: true, afterAll: () => pair.drained?.() });
      else bench.add(side, () => pair.raw(), { async: rawIsAsync });
    }
    await bench.run();
    for (const side of SIDES) {
      const result = bench.getTask(side)?.result;
      if (!result || !('latency' in result)) throw new Error(`${side}: ${result && 'error' in result ? result.error.message : 'no result'}`);
      // Not push(...samples): a fast sequential case collects more than a call's arguments can hold.
      for (const sample of result.latency.samples ?? []) samples[side].push(sample);
    }
  }
  return samples;
}

/** Throughput as tinybench reports it (the mean of each sample's rate) and latency percentiles. */
function stats(samples: number[], ops: number) {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = samples.toSorted((a, b) => a - b);
  const mean = sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length;
  const rate = sorted.reduce((sum, ms) => sum + 1000 / (ms > 0 ? ms : mean), 0) / sorted.length;
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { opsPerSec: rate * ops, p50: at(0.5), p99: at(0.99) };
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const benchCase of await loadCases()) {
    const dir = mkdtempSync(join(tmpdir(), 'flowstore-bench-'));
    try {
      const pair = await benchCase.setup({ dir });
      const samples = await measure(pair);
      await pair.teardown();
      const ops = typeof benchCase.ops === 'number' ? { flowstore: benchCase.ops, raw: benchCase.ops } : benchCase.ops;
      const f = stats(samples.flowstore, ops.flowstore);
      const r = stats(samples.raw, ops.raw);
      const ratio = f.opsPerSec / r.opsPerSec;
      const notes = pair.notes?.();
      rows.push({
        case: benchCase.name, raw: benchCase.rawLabel, flowstoreOpsPerSec: f.opsPerSec, rawOpsPerSec: r.opsPerSec, ratio,
        target: benchCase.target, met: benchCase.target === undefined ? undefined : ratio >= benchCase.target,
        flowstoreP50Ms: f.p50, flowstoreP99Ms: f.p99, rawP50Ms: r.p50, rawP99Ms: r.p99, notes,
      });
      const target = benchCase.target === undefined ? '' : ` (target ≥ ${benchCase.target}: ${ratio >= benchCase.target ? 'met' : 'NOT met'})`;
      console.log(`${benchCase.name}: flowstore ${fmt(f.opsPerSec)} ops/s, raw ${fmt(r.opsPerSec)} ops/s, ratio ${ratio.toFixed(2)}${target}${notes ? ` ${JSON.stringify(notes)}` : ''}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (rows.length > 0) printTable(rows);
  // The queue workload runs once per side and prints its own table (bench/queue/run.ts).
  const wanted = only?.split('|').filter(Boolean) ?? [];
  const queue = await runQueueBench(wanted);
  // FlowstoreBackend beside OpenWorkflow's own backends (bench/openworkflow/run.ts).
  const openworkflow = await runOpenWorkflowBench(wanted);
  // Start-up is measured in fresh processes (bench/startup/run.ts), not in this one.
  const startup = wanted.length === 0 || wanted.some((part) => 'startup'.includes(part)) ? await runStartupBench() : [];
  const out = new URL('./results/', import.meta.url);
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL('latest.json', out), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, timeMs, rounds, rows, queue, openworkflow, startup }, null, 2)}\n`);
}

function printTable(rows: readonly Row[]): void {
  console.log();
  console.log('| case | flowstore ops/s | raw ops/s | ratio | target | flowstore p50 / p99 ms | raw p50 / p99 ms | raw is | notes |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const target = row.target === undefined ? '' : `≥ ${row.target} ${row.met ? '✓' : '✗'}`;
    const notes = row.notes ? Object.entries(row.notes).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`).join(', ') : '';
    console.log(`| ${row.case} | ${fmt(row.flowstoreOpsPerSec)} | ${fmt(row.rawOpsPerSec)} | ${row.ratio.toFixed(2)} | ${target} | ${row.flowstoreP50Ms.toFixed(3)} / ${row.flowstoreP99Ms.toFixed(3)} | ${row.rawP50Ms.toFixed(3)} / ${row.rawP99Ms.toFixed(3)} | ${row.raw} | ${notes} |`);
  }
}

await main();
