import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/index.ts';
import pg from 'pg';
import { cleanup, POSTGRES, tempLocation } from './helpers.ts';
import { postgresUrl } from './helpers-postgres.ts';

async function sqlRows(url: string, text: string): Promise<Record<string, string>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, string>[];
  } finally {
    await client.end();
  }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/flowstore.js');

interface Result { code: number; stdout: string; stderr: string }

/** Runs the CLI as a child process, the way a user would, with optional stdin and environment. */
function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Result> {
  return command(process.execPath, [BIN, ...args], options);
}

function command(file: string, args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: { ...process.env, FLOWSTORE_DB: '', ...options.env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

describe('flowstore command line', () => {
  let dir: string;
  let db: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowstore-cli-'));
    db = join(dir, 'store.db');
    const store = await openStore({ path: db, readers: 1 });
    const old = new Date(Date.now() - 90 * 86_400_000);
    const base = { pipelineId: 'etl', pipelineName: 'ETL', pipelineVersion: '1', pipelineContext: { rows: 10 }, lastStepOutput: null };
    await store.runs.saveState('run-ok', { ...base, status: 'completed', executionTimeMs: 40 });
    await store.runs.saveState('run-failed', { ...base, status: 'failed', errorMessage: 'boom' });
    await store.runs.saveState('run-live', { ...base, status: 'running', createdAt: old, updatedAt: old });
    await store.runs.saveState('run-old', { ...base, status: 'completed', createdAt: old, updatedAt: old });
    await store.dag.saveCacheDelta('dag-1', { load: { rows: 10 } });
    await store.close();
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('no command and unknown commands are bad usage (exit 2); --help exits 0', async () => {
    const [none, unknown, help] = await Promise.all([cli([]), cli(['frobnicate']), cli(['--help'])]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /usage: flowstore/);
    assert.equal(unknown.code, 2);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /inspect/);
  });

  test("the README's `npx flowstore …` runs in the repository right after npm install, with no build", async () => {
    // npx finds the repository's own bin, which runs the sources; --no stops it fetching a package of that name.
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const result = await command(npx, ['--no', 'flowstore', 'stats', db, '--json'], { cwd: ROOT });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).runs.totalWorkflows, 4);
  });

  test('--help on every command exits 0 with its usage', async () => {
    const names = ['inspect', 'stats', 'runs', 'queue', 'cleanup', 'backup', 'check', 'vacuum', 'export', 'import', 'migrations', 'bench'];
    const results = await Promise.all(names.map((name) => cli([name, '--help'])));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, names[i]);
      assert.match(r.stdout, new RegExp(`usage: flowstore ${names[i]}`));
    });
  });

  test('inspect shows every domain, as text and as JSON', async () => {
    const [text, json] = await Promise.all([cli(['inspect', db]), cli(['inspect', db, '--json'])]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /== runs: 4/);
    assert.match(text.stdout, /dag-1/);
    const report = JSON.parse(json.stdout);
    assert.equal(report.runs.totalWorkflows, 4);
    assert.equal(report.dag.dags[0].dagId, 'dag-1');
    for (const key of ['agents', 'sessions', 'phases', 'tables']) assert.ok(key in report, key);
  });

  test('a missing file is a clear error and inspect creates nothing; a non-SQLite file too', async () => {
    const missing = join(dir, 'missing.db');
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all, just text');
    const [a, b, c] = await Promise.all([cli(['inspect', missing]), cli(['stats', junk]), cli(['check'], { env: { FLOWSTORE_DB: missing } })]);
    assert.equal(a.code, 1);
    assert.match(a.stderr, /^FLOWSTORE_NOT_FOUND: /m);
    assert.doesNotMatch(a.stderr, /\n\s+at /, 'no stack trace without --verbose');
    assert.equal(existsSync(missing), false);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /^FLOWSTORE_CORRUPT: /m);
    assert.equal(c.code, 1);
    const verbose = await cli(['inspect', missing, '--verbose']);
    assert.match(verbose.stderr, /\n\s+at /);
  });

  test('stats, runs list, runs failed, migrations, check: --json parses', async () => {
    const [stats, list, failed, migrations, check] = await Promise.all([
      cli(['stats', db, '--json']),
      cli(['runs', 'list', db, '--status', 'completed', '--json']),
      cli(['runs', 'failed', '--hours', '1', '--json'], { env: { FLOWSTORE_DB: db } }),
      cli(['migrations', db, '--json']),
      cli(['check', db, '--json']),
    ]);
    for (const r of [stats, list, failed, migrations, check]) assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(stats.stdout).runs.totalWorkflows, 4);
    assert.ok(JSON.parse(stats.stdout).tables.some((t: { name: string }) => t.name === 'workflow_state'));
    assert.deepEqual(JSON.parse(list.stdout).map((r: { runId: string }) => r.runId).sort(), ['run-ok', 'run-old']);
    assert.deepEqual(JSON.parse(failed.stdout).map((r: { runId: string }) => r.runId), ['run-failed']);
    assert.equal(JSON.parse(migrations.stdout)[0].name, 'runs');
    assert.deepEqual(JSON.parse(check.stdout), { ok: true, messages: ['ok'] });
  });

  test('bad usage exits 2', async () => {
    const results = await Promise.all([
      cli(['runs', db]),
      cli(['runs', 'list', db, '--limit', 'many']),
      cli(['cleanup', db]),
      cli(['cleanup', db, '--days', '-3']),
      cli(['backup', db]).then(() => cli(['backup'])),
      cli(['stats', db, '--no-such-option']),
      cli(['bench', db]),
    ]);
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `case ${i}: ${r.stderr}`);
      assert.match(r.stderr, /usage/);
    });
  });

  test('backup writes a copy with progress lines when not on a terminal', async () => {
    const dest = join(dir, 'copy.db');
    const r = await cli(['backup', db, dest, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).dest, dest);
    assert.match(r.stderr, /backup: 100%/);
    assert.doesNotMatch(r.stderr, /\r/);
    const again = await cli(['backup', db, dest]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^FLOWSTORE_CONFLICT: /m);
    const check = await cli(['inspect', dest, '--json']);
    assert.equal(JSON.parse(check.stdout).runs.totalWorkflows, 4);
  });

  test('export to stdout and import from stdin round-trip; import into a non-empty store fails', async () => {
    const exported = await cli(['export', db]);
    assert.equal(exported.code, 0, exported.stderr);
    const lines = exported.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[0].flowstore, 'export');
    const target = join(dir, 'imported.db');
    const imported = await cli(['import', target, '--json'], { input: exported.stdout });
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(JSON.parse(imported.stdout).rows, lines.at(-1).rows);
    const out = join(dir, 'again.jsonl');
    const reexported = await cli(['export', target, '--out', out]);
    assert.equal(reexported.code, 0, reexported.stderr);
    assert.equal(readFileSync(out, 'utf8'), exported.stdout);
    const twice = await cli(['import', target, '--in', out]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /^FLOWSTORE_CONFLICT: /m);
    const missingIn = await cli(['import', join(dir, 'x.db'), '--in', join(dir, 'nope.jsonl')]);
    assert.equal(missingIn.code, 1);
    assert.match(missingIn.stderr, /^FLOWSTORE_NOT_FOUND: /m);
  });

  test('cleanup --days deletes old finished runs, never running ones; vacuum compacts', async () => {
    const copy = join(dir, 'cleanup.db');
    assert.equal((await cli(['backup', db, copy])).code, 0);
    const r = await cli(['cleanup', copy, '--days', '30', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { runs: 1, aaow: 0, agents: 0, langgraph: 0, langgraphItems: 0, queue: 0, total: 1 });
    const list = JSON.parse((await cli(['runs', 'list', copy, '--json'])).stdout).map((x: { runId: string }) => x.runId).sort();
    assert.deepEqual(list, ['run-failed', 'run-live', 'run-ok']);
    const vacuum = await cli(['vacuum', copy, '--json']);
    assert.equal(vacuum.code, 0, vacuum.stderr);
    assert.equal(typeof JSON.parse(vacuum.stdout).bytesAfter, 'number');
  });

  test('bench prints an ops/s table and JSON rows, the queue among them; in a directory given it leaves nothing there', async () => {
    const r = await cli(['bench', '--ops', '300', '--concurrency', '16', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.rows.length, 5);
    assert.ok(report.rows.some((row: { workload: string }) => row.workload.startsWith('queue.work')));
    for (const row of report.rows) assert.ok(row.opsPerSecond > 0);
    const place = mkdtempSync(join(tmpdir(), 'flowstore-bench-here-'));
    try {
      const here = await cli(['bench', place, '--ops', '200', '--concurrency', '8', '--json']);
      assert.equal(here.code, 0, here.stderr);
      assert.equal(JSON.parse(here.stdout).backend, 'sqlite');
      assert.deepEqual(readdirSync(place), []);
    } finally {
      rmSync(place, { recursive: true, force: true });
    }
  });

  test('queue stats, list, retry and cancel; a job id that is no job exits 1', async (t) => {
    const where = await tempLocation(t);
    const store = await openStore({ ...where, readers: 1 });
    const [done, failed, waiting] = await store.queue.enqueueMany('emails', [{ payload: 'a' }, { payload: 'b' }, { payload: 'c', delayMs: 3_600_000 }]);
    const [a, b] = await store.queue.claim('emails', { workerId: 'cli-test', limit: 2 });
    await store.queue.complete(a!, 'sent');
    await store.queue.fail(b!, new Error('smtp down'), { retry: false });
    await store.close();
    const db = where.path!;
    const stats = await cli(['queue', 'stats', db, '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.deepEqual(JSON.parse(stats.stdout).map((q: { queue: string; completed: number; failed: number; delayed: number }) => [q.queue, q.completed, q.failed, q.delayed]), [['emails', 1, 1, 1]]);
    const list = await cli(['queue', 'list', db, '--state', 'failed', '--json']);
    assert.deepEqual(JSON.parse(list.stdout).map((j: { id: number; error: { message: string } }) => [j.id, j.error.message]), [[failed!.id, 'smtp down']]);
    const text = await cli(['queue', 'list', db]);
    assert.match(text.stdout, /smtp down/);
    const retried = await cli(['queue', 'retry', String(failed!.id), db, '--json']);
    assert.deepEqual(JSON.parse(retried.stdout), { id: failed!.id, retried: true });
    assert.equal((await cli(['queue', 'retry', String(done!.id), db])).code, 1, 'a completed job is not retried');
    const cancelled = await cli(['queue', 'cancel', String(waiting!.id), db]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal((await cli(['queue', 'cancel', '999', db])).code, 1);
    const after = JSON.parse((await cli(['queue', 'list', db, '--json'])).stdout) as { id: number; state: string }[];
    assert.deepEqual(after.map((j) => [j.id, j.state]), [[waiting!.id, 'cancelled'], [failed!.id, 'waiting'], [done!.id, 'completed']]);
    const usage = await Promise.all([cli(['queue', db]), cli(['queue', 'retry', db]), cli(['queue', 'list', db, '--state', 'lost']), cli(['queue', 'stats', db, '--queue', 'x'])]);
    for (const r of usage) assert.equal(r.code, 2, r.stderr);
  });

  test('a path no backend serves is bad usage naming path, and nothing is created', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'flowstore-cli-path-'));
    try {
      for (const path of ['mysql://root@localhost/db', 'redis://127.0.0.1:6379', 'http://example.com/x.db', 'postgres:test', 'postgresql:/x', 'postgres//host/db']) {
        for (const args of [['stats', path], ['import', path]]) {
          const r = await command(process.execPath, [BIN, ...args], { cwd, input: '' });
          assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
          assert.match(r.stderr, /usage error: path: /);
        }
      }
      assert.deepEqual(readdirSync(cwd), []);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

test('the bin keeps its shebang', () => {
  assert.match(readFileSync(BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

describe('flowstore command line on a postgres:// URL', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'flowstore-cli-pg-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A store in a schema of its own, and the arguments that name it. */
  async function pgStore(t: TestContext) {
    const where = await tempLocation(t, POSTGRES);
    const store = await openStore({ ...where, readers: 1 });
    cleanup(t, () => store.close());
    return { store, args: [where.path!, '--schema', where.postgres!.schema!] };
  }

  test('stats, runs, check, migrations and vacuum take the URL', async (t) => {
    const { store, args: [url, ...schema] } = await pgStore(t);
    await store.runs.saveState('run-1', { pipelineId: 'etl', pipelineName: 'ETL', pipelineVersion: '1', pipelineContext: {}, lastStepOutput: null, status: 'failed' });
    const [stats, list, check, migrations, vacuum] = await Promise.all([
      cli(['stats', url!, ...schema, '--json']),
      cli(['runs', 'failed', url!, ...schema, '--json']),
      cli(['check', url!, ...schema, '--json']),
      cli(['migrations', url!, ...schema, '--json']),
      cli(['vacuum', url!, ...schema, '--json']),
    ]);
    for (const r of [stats, list, check, migrations, vacuum]) assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(stats.stdout);
    assert.equal(report.runs.totalWorkflows, 1);
    assert.ok(report.tables.some((x: { name: string; rows: number; bytes: number }) => x.name === 'workflow_state' && x.rows === 1 && x.bytes > 0));
    assert.deepEqual(JSON.parse(list.stdout).map((r: { runId: string }) => r.runId), ['run-1']);
    assert.deepEqual(JSON.parse(check.stdout), { ok: true, messages: ['ok'] });
    assert.equal(JSON.parse(migrations.stdout)[0].name, 'runs');
    assert.equal(typeof JSON.parse(vacuum.stdout).bytesAfter, 'number');
  });

  test('backup of a PostgreSQL store writes a SQLite file, with progress in rows', async (t) => {
    const { store, args } = await pgStore(t);
    await store.runs.saveState('run-1', { pipelineId: 'etl', pipelineName: 'ETL', pipelineVersion: '1', pipelineContext: { n: 1 }, lastStepOutput: null, status: 'completed' });
    const dest = join(dir, 'from-pg.db');
    const r = await cli(['backup', ...args.slice(0, 1), dest, ...args.slice(1), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /backup: 100% \(1\/1 rows\)/);
    const inspect = await cli(['inspect', dest, '--json']);
    assert.equal(JSON.parse(inspect.stdout).runs.totalWorkflows, 1);
  });

  test('flowstore export ./x.db | flowstore import postgres://… and back keeps the store', async (t) => {
    const { args } = await pgStore(t);
    const source = join(dir, 'source.db');
    const store = await openStore({ path: source, readers: 1 });
    await store.runs.saveState('run-1', { pipelineId: 'etl', pipelineName: 'ETL', pipelineVersion: '1', pipelineContext: { big: 2n ** 64n }, lastStepOutput: 'x', status: 'completed' });
    await store.dag.saveCacheDelta('dag-1', { load: { rows: 10 } });
    await store.close();
    const exported = await cli(['export', source]);
    assert.equal(exported.code, 0, exported.stderr);
    const imported = await cli(['import', ...args, '--json'], { input: exported.stdout });
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout).skipped, ['events_fts']);
    const fromPg = await cli(['export', ...args]);
    assert.equal(fromPg.code, 0, fromPg.stderr);
    const back = join(dir, 'back.db');
    assert.equal((await cli(['import', back], { input: fromPg.stdout })).code, 0);
    const [a, b] = await Promise.all([cli(['runs', 'list', source, '--json']), cli(['runs', 'list', back, '--json'])]);
    assert.deepEqual(JSON.parse(b.stdout), JSON.parse(a.stdout));
  });

  test('bench runs in a scratch schema of the server given, dropped afterwards', async () => {
    const url = await postgresUrl();
    const schemas = async () => (await sqlRows(url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'flowstore_bench_%'")).map((r) => r.nspname);
    const before = await schemas();
    const r = await cli(['bench', url, '--ops', '200', '--concurrency', '8', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).backend, 'postgres');
    assert.deepEqual(await schemas(), before);
  });

  test('--schema is for a postgres:// database only', async () => {
    const r = await cli(['stats', join(dir, 'x.db'), '--schema', 'flowstore']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /usage error: --schema/);
  });
});
