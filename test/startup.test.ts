/**
 * What makes a store start fast, shown without a clock (the bench's start-up case times
 * it): importing flowstore loads only its shell; each thread loads a domain only when an
 * operation of it arrives; the first reader alone starts with the store, the others when
 * reads overlap; an up-to-date store opens without the locks that migrating takes, and
 * without hashing its migrations (no thread imports node:crypto).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { openStore } from '../src/index.ts';
import { BACKENDS, checkpointerOf, cleanup, POSTGRES, tempDir, tempLocation, tempStore, waitFor } from './helpers.ts';
import { REAL_POSTGRES_URL } from './helpers-postgres.ts';

const root = new URL('..', import.meta.url);
const hook = new URL('./fixtures/startup-loads.ts', import.meta.url).pathname;
const state = (step: number) => ({
  pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: step, pipelineContext: { step }, lastStepOutput: null, status: 'running' as const,
});

/** Runs `script` as a module in a fresh process; returns each thread's loaded module URLs, relative to the repository where they are its own. */
function loadsOf(dir: string, script: string): Map<number, string[]> {
  // A file, not --eval: the threads inherit the process's options, and --input-type is refused there.
  const file = join(dir, 'script.mjs');
  writeFileSync(file, script.replaceAll('./src/', new URL('src/', root).href));
  execFileSync(process.execPath, ['--import', hook, file], { env: { ...process.env, FLOWSTORE_LOADS_DIR: dir }, stdio: 'pipe' });
  const loads = new Map<number, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
    const urls = readFileSync(join(dir, file), 'utf8').trim().split('\n');
    loads.set(Number(file.slice(0, -4)), urls.map((url) => url.replace(root.href, '')));
  }
  return loads;
}

const packageOf = (url: string) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1];

test("import 'flowstore' loads its shell only: no schema library, no thread pool, no logger, no domain", (t) => {
  const loads = loadsOf(tempDir(t), "await import('./src/index.ts');");
  const main = loads.get(0)!;
  assert.deepEqual(main.map(packageOf).filter(Boolean), [], 'no package is loaded');
  assert.deepEqual(main.filter((url) => url.startsWith('src/domains/') && !url.endsWith('/defaults.ts') && !url.endsWith('/limits.ts')), []);
  assert.ok(main.includes('src/store.ts'));
  assert.ok(main.length < 20, `${main.length} modules: ${main.join(' ')}`);
});

test('a thread loads a domain when its first operation arrives, and only that domain', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'store.db');
  const loads = loadsOf(dir, `
    const { openStore } = await import('./src/index.ts');
    const store = await openStore({ path: ${JSON.stringify(path)}, readers: 1 });
    await store.runs.saveState('run_1', ${JSON.stringify(state(1))});
    // Until the reader is ready the writer serves reads: this one is to reach the reader.
    while (!store[Symbol.for('flowstore.internals')].readers.ready) await new Promise((resolve) => setTimeout(resolve, 5));
    await store.runs.loadState('run_1');
    await store.close();`);
  const threads = [...loads.entries()].filter(([id]) => id !== 0);
  const writer = threads.find(([, urls]) => urls.some((url) => url === 'workers/writer.ts'));
  const reader = threads.find(([, urls]) => urls.some((url) => url === 'workers/reader.ts'));
  assert.ok(writer && reader, 'a writer and a reader ran');
  for (const [name, [, urls]] of [['writer', writer], ['reader', reader]] as const) {
    assert.ok(urls.includes('src/domains/runs/ops.ts'), `the ${name} loaded runs`);
    for (const other of ['admin', 'dag', 'definitions', 'aaow', 'agents', 'langgraph', 'queue']) {
      assert.ok(!urls.includes(`src/domains/${other}/ops.ts`), `the ${name} did not load ${other}`);
    }
    assert.ok(!urls.some((url) => packageOf(url) === 'croner' || packageOf(url) === 'smol-toml'), `the ${name} loaded no cron or TOML parser`);
    assert.ok(!urls.some((url) => packageOf(url) === 'zod' || url.endsWith('/schema.ts')), `the ${name} loaded no schema: only the caller's thread validates`);
  }
  assert.ok(loads.get(0)!.includes('src/domains/runs/schema.ts'), "the caller's thread loaded the schemas it validated with");
  for (const [id, urls] of loads) {
    assert.ok(!urls.some((url) => packageOf(url) === 'fflate'), `thread ${id} loaded the compression library for values too small to compress`);
    // Only naming an in-memory store and applying a migration (read with getBuiltinModule, which no hook sees) need it.
    assert.ok(!urls.includes('node:crypto'), `thread ${id} imported node:crypto`);
  }
});

test("every domain's operations load without their schemas or the schema library, as the worker threads load them", (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'in-worker.mjs'), `
    const { loadAllDomains } = await import(${JSON.stringify(new URL('src/domains/index.ts', root).href)});
    const domains = await loadAllDomains();
    if (domains.length < 9) throw new Error('not every domain loaded');`);
  const loads = loadsOf(dir, `
    const { Worker } = await import('node:worker_threads');
    const { once } = await import('node:events');
    const [code] = await once(new Worker(${JSON.stringify(join(dir, 'in-worker.mjs'))}), 'exit');
    if (code !== 0) throw new Error('the worker failed');`);
  const worker = [...loads.values()].find((urls) => urls.includes('file://' + join(dir, 'in-worker.mjs')))!;
  for (const domain of ['admin', 'runs', 'dag', 'definitions', 'aaow', 'agents', 'queue', 'openworkflow']) {
    assert.ok(worker.includes(`src/domains/${domain}/ops.ts`), `${domain} loaded`);
  }
  const schemas = worker.filter((url) => packageOf(url) === 'zod' || url.endsWith('schema.ts') || url === 'src/domains/common.ts');
  assert.deepEqual(schemas, [], 'no schema module and no zod');
});

test("a store loads a domain's modules when the domain is first used; off the main thread, all of them while it opens", (t) => {
  const dir = tempDir(t);
  const use = (path: string) => `
    const { openStore } = await import('./src/index.ts');
    const store = await openStore({ path: ${JSON.stringify(path)}, readers: 1 });
    await import('data:text/javascript,export {} // opened');
    await store.runs.loadState('run_1');
    await store.close();`;
  writeFileSync(join(dir, 'in-worker.mjs'), use(join(dir, 'worker.db')).replaceAll('./src/', new URL('src/', root).href));
  const loads = loadsOf(dir, `
    ${use(join(dir, 'main.db'))}
    const { Worker } = await import('node:worker_threads');
    const { once } = await import('node:events');
    await once(new Worker(${JSON.stringify(join(dir, 'in-worker.mjs'))}), 'exit');`);
  const opened = (urls: string[]) => urls.findIndex((url) => url.startsWith('data:'));
  const main = loads.get(0)!;
  assert.ok(opened(main) > 0 && main.indexOf('src/domains/runs/api.ts') > opened(main), 'the main thread loads runs when first used');
  assert.ok(!main.includes('src/domains/dag/api.ts'), 'and no domain it does not use');
  const worker = [...loads.values()].find((urls) => urls.includes('file://' + join(dir, 'in-worker.mjs')))!;
  for (const domain of ['runs', 'dag', 'queue', 'admin']) {
    const at = worker.indexOf(`src/domains/${domain}/api.ts`);
    assert.ok(at !== -1 && at < opened(worker), `a worker thread's store loaded ${domain} while it opened`);
  }
  // Its schemas too, every module an operation names, which it would otherwise require() when it first validates.
  for (const schema of ['runs/schema', 'dag/schema', 'queue/schema', 'admin/schema', 'langgraph/items-schema']) {
    const schemaAt = worker.indexOf(`src/domains/${schema}.ts`);
    assert.ok(schemaAt !== -1 && schemaAt < opened(worker), `a worker thread's store loaded ${schema} while it opened`);
  }
});

test('until a reader thread is ready the writer serves reads, but not while a transaction is open', (t) => {
  const dir = tempDir(t);
  const gate = join(dir, 'gate');
  const file = join(dir, 'script.mjs');
  // The reader is held (fixtures/gate-readers.ts) until the script opens the gate.
  writeFileSync(file, `
    const { writeFileSync } = await import('node:fs');
    const { openStore } = await import(${JSON.stringify(new URL('src/index.ts', root).href)});
    const store = await openStore({ path: ${JSON.stringify(join(dir, 'store.db'))}, readers: 1 });
    const { readers } = store[Symbol.for('flowstore.internals')];
    await store.runs.saveState('run_1', ${JSON.stringify(state(1))});
    console.log('early read', (await store.runs.loadState('run_1')).currentStepIndex, readers.ready);
    // Inside a transaction, a read on the store (not on tx) waits for a reader: the writer
    // serves only the transaction now, so the read would wait for the transaction's end.
    const outside = await store.transaction(async (tx) => {
      await tx.runs.saveState('run_1', ${JSON.stringify(state(2))});
      const read = store.runs.loadState('run_1');
      writeFileSync(${JSON.stringify(gate)}, '');
      return read;
    }, { timeoutMs: 20_000 });
    console.log('read outside the transaction', outside.currentStepIndex, readers.completed);
    await store.close();`);
  const out = execFileSync(process.execPath, ['--import', new URL('./fixtures/gate-readers.ts', import.meta.url).pathname, file], {
    env: { ...process.env, FLOWSTORE_READER_GATE: gate }, encoding: 'utf8', timeout: 60_000,
  });
  assert.deepEqual(out.trim().split('\n'), ['early read 1 false', 'read outside the transaction 1 1']);
});

test('the writer thread started with openStore stops when the options turn out bad: the process exits by itself', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'bad.mjs');
  writeFileSync(file, `
    const { openStore } = await import(${JSON.stringify(new URL('src/index.ts', root).href)});
    for (const options of [{ path: ${JSON.stringify(join(dir, 'x.db'))}, nope: 1 }, { path: 'mysql://h/db' }, { readers: 0 }]) {
      await openStore(options).then(() => console.log('opened'), (error) => console.log(error.code));
    }`);
  const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  assert.deepEqual(out.trim().split('\n'), ['FLOWSTORE_INVALID_OPTIONS', 'FLOWSTORE_INVALID_OPTIONS', 'FLOWSTORE_INVALID_OPTIONS']);
});

for (const backend of BACKENDS) {
  test(`${backend.name}: a domain first used after the store opened works on every thread, reads and writes alike`, async (t) => {
    const store = await tempStore(t, { path: backend.path });
    await store.dag.saveCacheDelta('dag_1', { node: { key: 1 } });
    assert.deepEqual(await store.dag.loadCache('dag_1'), { node: { key: 1 } });
    await assert.rejects(store.runs.listWorkflows({ limit: -1 }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    assert.deepEqual(await store.runs.listWorkflows(), []);
  });

  test(`${backend.name}: the first reader starts with the store, the others when reads overlap`, async (t) => {
    const store = await tempStore(t, { path: backend.path, readers: 2 });
    const readers = (store as unknown as Record<symbol, { readers: { threads: readonly unknown[] } }>)[Symbol.for('flowstore.internals')]!.readers;
    await store.runs.saveState('run_1', state(1));
    assert.equal((await store.runs.loadState('run_1'))?.currentStepIndex, 1);
    assert.equal(readers.threads.length, 1);
    await waitFor(async () => {
      await Promise.all(Array.from({ length: 256 }, () => store.runs.loadState('run_1')));
      return readers.threads.length === 2;
    }, 'a second reader thread');
  });
}

test("file: the checkpointer thread starts a while after the store opens, not with it", async (t) => {
  const store = await tempStore(t, { path: join(tempDir(t), 'later.db') });
  const internals = () => (store as unknown as Record<symbol, { companion: unknown }>)[Symbol.for('flowstore.internals')]!;
  assert.equal(internals().companion, undefined, 'no checkpointer yet');
  await store.runs.saveState('run_1', state(1));
  await checkpointerOf(store);
});

test('file: an up-to-date store opens while another connection holds the write lock', async (t) => {
  const path = join(tempDir(t), 'locked.db');
  const first = await openStore({ path });
  await first.runs.saveState('run_1', state(1));
  await first.close();
  const other = new DatabaseSync(path);
  other.exec('BEGIN IMMEDIATE');
  cleanup(t, () => other.close());
  const store = await openStore({ path, busyTimeoutMs: 200 });
  cleanup(t, () => store.close());
  assert.equal((await store.runs.loadState('run_1'))?.currentStepIndex, 1);
  // Writing needs the lock: it waits, and fails once its time is up.
  await assert.rejects(store.runs.saveState('run_2', state(2)), { code: 'FLOWSTORE_BUSY' });
  other.exec('ROLLBACK');
  await store.runs.saveState('run_2', state(2));
});

test('postgres: an up-to-date store opens while another session holds the migration lock', { skip: REAL_POSTGRES_URL && BACKENDS.some((b) => b.path === POSTGRES) ? false : 'a real PostgreSQL server (FLOWSTORE_TEST_POSTGRES_URL): PGlite serves one session' }, async (t) => {
  const location = await tempLocation(t, POSTGRES);
  const first = await openStore(location);
  await first.close();
  const schema = location.postgres!.schema!;
  const session = new pg.Client({ connectionString: location.path });
  await session.connect();
  cleanup(t, () => session.end());
  await session.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`flowstore:${schema}`]);
  const store = await openStore(location);
  cleanup(t, () => store.close());
  const shipped = readdirSync(new URL('../migrations/postgres/', import.meta.url)).filter((f) => f.endsWith('.sql')).map((f) => Number(f.slice(0, 4)));
  assert.deepEqual((await store.migrations()).map((m) => m.version), shipped);
});
