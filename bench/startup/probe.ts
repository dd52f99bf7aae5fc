/**
 * One start-up, in a fresh process: `node bench/startup/probe.ts <side> <path>` imports,
 * opens, reads one run, writes one and closes, then prints each step's milliseconds as one
 * JSON line. Sides: `flowstore` (the source, or the built package when `entry` is given as
 * a third argument), `raw` (node:sqlite doing the same work on the main thread), `pg-raw`
 * (one `pg` client doing it). bench/startup/run.ts spawns it.
 */
import { performance } from 'node:perf_hooks';

const [side, path, entry] = process.argv.slice(2) as [string, string, string | undefined];
const marks: Record<string, number> = {};
let last = performance.now();
const mark = (name: string) => {
  const now = performance.now();
  marks[name] = now - last;
  last = now;
};
const state = {
  pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: { step: 1 }, lastStepOutput: null, status: 'running' as const,
};
const DDL = 'CREATE TABLE IF NOT EXISTS workflow_state (run_id TEXT PRIMARY KEY, pipeline_id TEXT, status TEXT, state TEXT, updated_at TEXT)';
const UPSERT = 'INSERT INTO workflow_state (run_id, pipeline_id, status, state, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, state = excluded.state, updated_at = excluded.updated_at';

if (side === 'flowstore') {
  const { openStore } = (await import(entry ?? new URL('../../src/index.ts', import.meta.url).href)) as typeof import('../../src/index.ts');
  mark('import');
  const store = await openStore({ path, ...(path.startsWith('postgres') ? { postgres: { schema: process.env.STARTUP_PG_SCHEMA ?? 'flowstore' } } : {}) });
  mark('open');
  await store.runs.loadState('run_1');
  mark('read');
  await store.runs.saveState('run_1', state);
  mark('write');
  await store.close();
  mark('close');
} else if (side === 'raw') {
  const { DatabaseSync } = await import('node:sqlite');
  mark('import');
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000');
  db.exec(DDL);
  mark('open');
  db.prepare('SELECT state FROM workflow_state WHERE run_id = ?').get('run_1');
  mark('read');
  db.prepare(UPSERT.replaceAll(/\$\d/g, '?')).run('run_1', 'p', 'running', JSON.stringify(state), new Date().toISOString());
  mark('write');
  db.close();
  mark('close');
} else if (side === 'pg-raw') {
  const { default: pg } = await import('pg');
  mark('import');
  const client = new pg.Client({ connectionString: path });
  await client.connect();
  const schema = process.env.STARTUP_PG_SCHEMA ?? 'startup_raw';
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}; ${DDL}`);
  mark('open');
  await client.query('SELECT state FROM workflow_state WHERE run_id = $1', ['run_1']);
  mark('read');
  await client.query(UPSERT, ['run_1', 'p', 'running', JSON.stringify(state), new Date().toISOString()]);
  mark('write');
  await client.end();
  mark('close');
} else if (side !== 'empty') {
  throw new Error(`unknown side ${side}`);
}
process.stdout.write(`${JSON.stringify(marks)}\n`);
