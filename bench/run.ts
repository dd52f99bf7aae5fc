/**
 * `npm run bench`: every case in bench/cases/ through flowstore and through raw
 * node:sqlite in the same run, printed side by side with their ratio, and written to
 * bench/results/latest.json. `BENCH_TIME_MS` sets the time per task; `BENCH_ONLY`
 * filters cases by a substring of their name.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import type { BenchCase } from './case.ts';

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
const only = process.env.BENCH_ONLY;

async function loadCases(): Promise<BenchCase[]> {
  const dir = new URL('./cases/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const cases: BenchCase[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, dir).href)) as { cases: BenchCase[] };
    cases.push(...module.cases);
  }
  return only ? cases.filter((c) => c.name.includes(only)) : cases;
}

function stats(bench: Bench, name: string, ops: number) {
  const task = bench.getTask(name);
  const result = task?.result;
  if (!result || !('throughput' in result)) throw new Error(`${name}: ${result && 'error' in result ? result.error.message : 'no result'}`);
  return { opsPerSec: result.throughput.mean * ops, p50: result.latency.p50, p99: result.latency.p99 };
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const benchCase of await loadCases()) {
    const dir = mkdtempSync(join(tmpdir(), 'flowstore-bench-'));
    try {
      const pair = await benchCase.setup({ dir });
      const bench = new Bench({ time: timeMs, warmupTime: Math.min(500, timeMs / 3) });
      bench.add('flowstore', () => pair.flowstore());
      bench.add('raw', () => pair.raw());
      await bench.run();
      await pair.teardown();
      const ops = typeof benchCase.ops === 'number' ? { flowstore: benchCase.ops, raw: benchCase.ops } : benchCase.ops;
      const f = stats(bench, 'flowstore', ops.flowstore);
      const r = stats(bench, 'raw', ops.raw);
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
  console.log();
  console.log('| case | flowstore ops/s | raw node:sqlite ops/s | ratio | target | flowstore p50 / p99 ms | raw p50 / p99 ms | raw is | notes |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const target = row.target === undefined ? '' : `≥ ${row.target} ${row.met ? '✓' : '✗'}`;
    const notes = row.notes ? Object.entries(row.notes).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`).join(', ') : '';
    console.log(`| ${row.case} | ${fmt(row.flowstoreOpsPerSec)} | ${fmt(row.rawOpsPerSec)} | ${row.ratio.toFixed(2)} | ${target} | ${row.flowstoreP50Ms.toFixed(3)} / ${row.flowstoreP99Ms.toFixed(3)} | ${row.rawP50Ms.toFixed(3)} / ${row.rawP99Ms.toFixed(3)} | ${row.raw} | ${notes} |`);
  }
  const out = new URL('./results/', import.meta.url);
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL('latest.json', out), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, timeMs, rows }, null, 2)}\n`);
}

await main();
