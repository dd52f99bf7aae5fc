/**
 * The start-up case of `npm run bench` (`BENCH_ONLY=startup` runs it alone): fresh processes
 * (`BENCH_STARTUP_RUNS` of each, 7 by default) doing import, open, first read, first write
 * and close, through flowstore, through raw node:sqlite (or one raw `pg` client) and as
 * `node -e 0`, on a new store and on an existing one; on PostgreSQL too when
 * FLOWSTORE_BENCH_POSTGRES_URL is set; then `flowstore stats`, `runs list` and `inspect` on
 * the existing store. Each row gives the median and the worst of its runs: the whole
 * process's wall time, measured from outside, and each step's time, measured inside.
 * `BENCH_STARTUP_ENTRY` points the flowstore side at a built entry (dist/src/index.js), and the
 * commands at the CLI built beside it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const STEPS = ['import', 'open', 'read', 'write', 'close'] as const;

export interface StartupRow {
  readonly case: string;
  readonly runs: number;
  readonly wallMs: { readonly median: number; readonly worst: number };
  readonly stepsMs: Partial<Record<(typeof STEPS)[number], { readonly median: number; readonly worst: number }>>;
}

const probe = new URL('./probe.ts', import.meta.url).pathname;
const bin = new URL('../../bin/flowstore.js', import.meta.url).pathname;

/**
 * A script in `dir` that does what bin/flowstore.js does, with the CLI built beside `entry`
 * (dist/src/index.js). A file, not --eval: threads inherit the process's options, and
 * refuse --input-type.
 */
function builtCli(entry: string, dir: string): string {
  const main = new URL('./cli/main.js', pathToFileURL(entry)).href;
  const file = join(dir, 'flowstore-cli.mjs');
  writeFileSync(file, `import * as nodeModule from 'node:module';\nnodeModule.enableCompileCache?.();\nconst { main } = await import(${JSON.stringify(main)});\nprocess.exitCode = await main(process.argv.slice(2));\n`);
  return file;
}

function spread(values: readonly number[]) {
  const sorted = values.toSorted((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, worst: sorted.at(-1)! };
}

/** One fresh process: its wall time from outside, and the JSON line it printed, if any. */
function once(args: readonly string[], env: NodeJS.ProcessEnv): { wall: number; steps: Record<string, number> } {
  const start = performance.now();
  const child = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const wall = performance.now() - start;
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  return { wall, steps: line.startsWith('{"') ? (JSON.parse(line) as Record<string, number>) : {} };
}

function measure(name: string, runs: number, make: (i: number) => { args: string[]; env?: NodeJS.ProcessEnv }): StartupRow {
  const walls: number[] = [];
  const steps: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    const { args, env } = make(i);
    const result = once(args, env ?? {});
    walls.push(result.wall);
    for (const [step, ms] of Object.entries(result.steps)) (steps[step] ??= []).push(ms);
  }
  const row: StartupRow = {
    case: name, runs, wallMs: spread(walls),
    stepsMs: Object.fromEntries(STEPS.filter((s) => steps[s]).map((s) => [s, spread(steps[s]!)])),
  };
  console.log(`startup ${name}: wall median ${row.wallMs.median.toFixed(0)} ms, worst ${row.wallMs.worst.toFixed(0)} ms`);
  return row;
}

export async function runStartupBench(): Promise<StartupRow[]> {
  const runs = Math.max(1, Number(process.env.BENCH_STARTUP_RUNS ?? 7));
  const entry = process.env.BENCH_STARTUP_ENTRY;
  const flowstore = (path: string) => [probe, 'flowstore', path, ...(entry ? [new URL(entry, `file://${process.cwd()}/`).href] : [])];
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-startup-'));
  const rows: StartupRow[] = [];
  try {
    rows.push(measure('node -e 0', runs, () => ({ args: ['-e', '0'] })));
    rows.push(measure('sqlite new: raw node:sqlite', runs, (i) => ({ args: [probe, 'raw', join(dir, `raw-new-${i}.db`)] })));
    rows.push(measure('sqlite new: flowstore', runs, (i) => ({ args: flowstore(join(dir, `new-${i}.db`)) })));
    const existing = join(dir, 'existing.db');
    once(flowstore(existing), {});
    once([probe, 'raw', join(dir, 'raw-existing.db')], {});
    rows.push(measure('sqlite existing: raw node:sqlite', runs, () => ({ args: [probe, 'raw', join(dir, 'raw-existing.db')] })));
    rows.push(measure('sqlite existing: flowstore', runs, () => ({ args: flowstore(existing) })));
    // bin/flowstore.js runs the sources in a checkout; with a built entry, the built CLI, as an installed package does.
    const cli = entry === undefined ? [bin] : [builtCli(entry, dir)];
    for (const command of [['stats'], ['runs', 'list'], ['inspect']]) {
      rows.push(measure(`sqlite existing: flowstore ${command.join(' ')} (CLI)`, runs, () => ({ args: [...cli, ...command, existing] })));
    }
    const url = process.env.FLOWSTORE_BENCH_POSTGRES_URL;
    if (url) {
      const tag = `startup_${process.pid}`;
      const schemas: string[] = [];
      const schema = (name: string) => {
        schemas.push(name);
        return { STARTUP_PG_SCHEMA: name };
      };
      rows.push(measure('postgres new: raw pg', runs, (i) => ({ args: [probe, 'pg-raw', url], env: schema(`${tag}_raw_${i}`) })));
      rows.push(measure('postgres new: flowstore', runs, (i) => ({ args: flowstore(url), env: schema(`${tag}_new_${i}`) })));
      once(flowstore(url), schema(`${tag}_existing`));
      rows.push(measure('postgres existing: raw pg', runs, () => ({ args: [probe, 'pg-raw', url], env: schema(`${tag}_raw_0`) })));
      rows.push(measure('postgres existing: flowstore', runs, () => ({ args: flowstore(url), env: { STARTUP_PG_SCHEMA: `${tag}_existing` } })));
      await dropSchemas(url, [...new Set(schemas)]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
  return rows;
}

async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

function printTable(rows: readonly StartupRow[]): void {
  const cell = (s?: { median: number; worst: number }) => (s ? `${s.median.toFixed(1)} / ${s.worst.toFixed(1)}` : '');
  console.log();
  console.log(`| start-up (fresh processes, ms median / worst) | wall | ${STEPS.join(' | ')} |`);
  console.log(`|---|---|${STEPS.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.case} | ${cell(row.wallMs)} | ${STEPS.map((s) => cell(row.stepsMs[s])).join(' | ')} |`);
  console.log();
}
