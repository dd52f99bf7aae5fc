/**
 * The package as a user gets it: `npm pack`, install the tarball into an empty folder,
 * then, with the Node running this script, open a store, write and read through the
 * compiled JavaScript (Node will not strip types inside node_modules), the
 * `flowstore/aaow` entry and the CLI, with nothing on stderr. Then the same package on an
 * unsupported Node (the first `node` on PATH outside node_modules, or FLOWSTORE_OLD_NODE):
 * it imports, and refuses with FLOWSTORE_UNSUPPORTED_RUNTIME. CI runs this on each major.
 * Prints `N passed, N failed` so CI counts it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { assertSupportedRuntime, SUPPORTED_NODE_RANGE } from '../src/node-support.ts';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'flowstore-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let passed = 0;
let failed = 0;

function check(name: string, fn: () => void): void {
  try {
    fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (error) {
    failed++;
    console.log(`not ok - ${name}\n${(error as Error).message}`);
  }
}

/** Runs `node` on `args` in `cwd`; throws with its output unless it exits 0 with an empty stderr. */
function runQuietly(node: string, args: string[], cwd: string): string {
  const { status, stdout, stderr } = spawnSync(node, args, { cwd, encoding: 'utf8' });
  if (status !== 0 || stderr !== '') throw new Error(`exit ${status}\n${stdout}${stderr}`);
  return stdout;
}

/** npm's own script, to run npm with the Node under test, as a user of that Node does. */
function npmCli(): string {
  if (process.env.npm_execpath) return process.env.npm_execpath;
  const found = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'npm')).find((file) => existsSync(file));
  if (!found) throw new Error('npm is not on PATH');
  return realpathSync(found);
}

/** An installed Node that flowstore does not support, to prove it refuses cleanly there. */
function unsupportedNode(): string | undefined {
  const candidates = process.env.FLOWSTORE_OLD_NODE ? [process.env.FLOWSTORE_OLD_NODE]
    : (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '' && !dir.includes('node_modules')).map((dir) => join(dir, 'node'));
  return candidates.find((node) => {
    if (!existsSync(node)) return false;
    const versions = JSON.parse(execFileSync(node, ['-p', 'JSON.stringify({ node: process.versions.node, sqlite: process.versions.sqlite })'], { encoding: 'utf8' }));
    try {
      assertSupportedRuntime(versions);
      return false;
    } catch {
      return true;
    }
  });
}

try {
  const packed = execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [{ filename, files }] = JSON.parse(packed.slice(packed.indexOf('['))) as [{ filename: string; files: { path: string }[] }];
  check('the tarball holds compiled JavaScript and no TypeScript sources', () => {
    const paths = files.map((f) => f.path);
    for (const needed of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/workers/writer.js', 'dist/workers/reader.cjs', 'dist/workers/reader.js', 'bin/flowstore.js', 'dist/src/cli/main.js', 'dist/src/aaow/index.js',
      'dist/migrations/sqlite/0001_runs.sql', 'dist/migrations/postgres/0001_runs.sql', 'dist/migrations/sqlite/checksums.json', 'dist/migrations/postgres/checksums.json',
      'dist/src/ui/index.js', 'dist/src/ui/assets/index.html', 'dist/src/ui/assets/js/app.js', 'dist/src/ui/assets/app.css',
      'dist/src/langgraph/index.js', 'dist/src/langgraph/index.d.ts', 'dist/migrations/sqlite/0006_langgraph.sql', 'dist/migrations/postgres/0006_langgraph.sql',
      'dist/src/openworkflow/index.js', 'dist/src/openworkflow/index.d.ts', 'dist/migrations/sqlite/0008_openworkflow.sql', 'dist/migrations/postgres/0008_openworkflow.sql',
      'dist/vendor/zod.js']) {
      if (!paths.includes(needed)) throw new Error(`missing ${needed}`);
    }
    const sources = paths.filter((p) => /\.[cm]?ts$/.test(p) && !/\.d\.[cm]?ts$/.test(p));
    if (sources.length > 0) throw new Error(`TypeScript sources in the package: ${sources.join(', ')}`);
  });
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  check(`npm on Node ${process.versions.node} installs the tarball without a warning`, () => {
    // As the README tells an application to: Piscina's optional @napi-rs/nice is a prebuilt addon flowstore never uses.
    const { status, stderr } = spawnSync(process.execPath, [npmCli(), 'install', '--no-audit', '--no-fund', '--omit=optional', join(work, filename)], { cwd: app, encoding: 'utf8' });
    if (status !== 0 || /npm warn/i.test(stderr)) throw new Error(`exit ${status}\n${stderr}`);
  });
  writeFileSync(join(app, 'use.mjs'), `
    import { openStore, isFlowstoreError } from 'flowstore';
    import { SQLiteStorageAdapter } from 'flowstore/aaow';
    const store = await openStore({ path: './app.db' });
    await store.runs.saveState('run_1', { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: { n: 1n }, lastStepOutput: null, status: 'running' });
    const state = await store.runs.loadState('run_1');
    if (state?.pipelineContext.n !== 1n) throw new Error('read back ' + JSON.stringify(state));
    try { await store.runs.loadState(''); throw new Error('no error'); } catch (e) { if (!isFlowstoreError(e)) throw e; }
    await store.backup('./copy.db');
    await store.close();
    const adapter = new SQLiteStorageAdapter('file:./aaow.db');
    await adapter.initialize();
    await adapter.close();
    console.log('store ok');
  `);
  // The app installed no @langchain package: flowstore works without them, flowstore/langgraph names what it needs.
  writeFileSync(join(app, 'langgraph.mjs'), `
    try { await import('flowstore/langgraph'); console.log('loaded'); }
    catch (e) { console.log(e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes('@langchain/') ? 'peer missing' : e.message); }
  `);
  check('flowstore/langgraph needs its optional peer, which flowstore itself never loads', () => {
    const out = execFileSync(process.execPath, ['langgraph.mjs'], { cwd: app, encoding: 'utf8' });
    if (!out.includes('peer missing')) throw new Error(out);
  });
  // flowstore/openworkflow takes only types from its peer: without openworkflow installed, a backend still opens and runs.
  writeFileSync(join(app, 'openworkflow.mjs'), `
    import { FlowstoreBackend } from 'flowstore/openworkflow';
    const backend = await FlowstoreBackend.open({ path: './ow.db' });
    const run = await backend.createWorkflowRun({ workflowName: 'w', version: null, idempotencyKey: null, config: {}, context: null, input: null,
      parentStepAttemptNamespaceId: null, parentStepAttemptId: null, availableAt: null, deadlineAt: null });
    const claimed = await backend.claimWorkflowRun({ workerId: 'w1', leaseDurationMs: 1000 });
    await backend.stop();
    console.log(claimed.id === run.id ? 'openworkflow ok' : 'wrong run');
  `);
  check('flowstore/openworkflow opens and claims from the installed package, its optional peer absent', () => {
    const out = runQuietly(process.execPath, ['openworkflow.mjs'], app);
    if (!out.includes('openworkflow ok')) throw new Error(out);
  });
  check(`an installed package opens a store, writes, reads and backs up on Node ${process.versions.node}, with nothing on stderr`, () => {
    const out = runQuietly(process.execPath, ['use.mjs'], app);
    if (!out.includes('store ok')) throw new Error(out);
  });
  // The compiled modules take zod from the package's own dist/vendor/zod.js (scripts/vendor-zod.ts), not from the zod package.
  writeFileSync(join(app, 'zod.mjs'), `
    import { registerHooks } from 'node:module';
    const fromZod = [];
    registerHooks({ resolve(specifier, context, next) { const found = next(specifier, context); if (found.url.includes('/node_modules/zod/')) fromZod.push(found.url); return found; } });
    const { openStore } = await import('flowstore');
    const codes = [];
    try { await openStore({ path: './zod.db', readers: 0 }); } catch (e) { codes.push(e.code); }
    const store = await openStore({ path: './zod.db' });
    try { await store.runs.loadState(''); } catch (e) { codes.push(e.code); }
    await store.close();
    console.log(JSON.stringify({ codes, fromZod }));
  `);
  check('the installed package validates with its own copy of zod, and loads nothing from the zod package', () => {
    const { codes, fromZod } = JSON.parse(runQuietly(process.execPath, ['zod.mjs'], app)) as { codes: string[]; fromZod: string[] };
    if (codes.join() !== 'FLOWSTORE_INVALID_OPTIONS,FLOWSTORE_INVALID_ARGUMENT') throw new Error(`codes ${codes.join()}`);
    if (fromZod.length > 0) throw new Error(`loaded from the zod package: ${fromZod.join(', ')}`);
  });
  check('the installed CLI runs', () => {
    const out = runQuietly(process.execPath, [join(app, 'node_modules/flowstore/bin/flowstore.js'), 'stats', join(app, 'app.db'), '--json'], app);
    if (JSON.parse(out).runs.totalWorkflows !== 1) throw new Error(out);
  });
  check('no native addon in the installed tree (no .node file, no binding.gyp)', () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.node') || entry.name === 'binding.gyp') found.push(path);
      }
    };
    walk(join(app, 'node_modules'));
    if (found.length > 0) throw new Error(`native files: ${found.join(', ')}`);
  });
  writeFileSync(join(app, 'ui.mjs'), `
    import { spawn } from 'node:child_process';
    import { startDashboard } from 'flowstore/ui';
    if (typeof startDashboard !== 'function') throw new Error('flowstore/ui has no startDashboard');
    const child = spawn(process.execPath, ['node_modules/flowstore/bin/flowstore.js', 'ui', 'app.db', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => { out += d; const m = /(http:[^ ]+) /.exec(out); if (m) resolve(m[1]); });
      child.once('exit', (code) => reject(new Error('flowstore ui exited ' + code)));
    });
    for (const path of ['', 'js/app.js', 'vendor/uPlot.esm.js', 'vendor/dagre.esm.js', 'api/runs']) {
      const res = await fetch(url + path);
      if (res.status !== 200) throw new Error(path + ': ' + res.status);
    }
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    console.log('ui ok');
  `);
  check('the installed flowstore ui serves its page, its libraries and its API', () => {
    const out = execFileSync(process.execPath, ['ui.mjs'], { cwd: app, encoding: 'utf8' });
    if (!out.includes('ui ok')) throw new Error(out);
  });

  const old = unsupportedNode();
  writeFileSync(join(app, 'old.mjs'), `
    import { openStore } from 'flowstore';
    import { SQLiteStorageAdapter } from 'flowstore/aaow';
    const codes = [];
    for (const open of [() => openStore({ path: './old.db' }), () => new SQLiteStorageAdapter('file:./old-aaow.db').initialize()]) {
      try { await open(); codes.push('opened'); } catch (e) { codes.push(e.code + ' ' + e.details.requiredNode); }
    }
    console.log(JSON.stringify(codes));
  `);
  check(`on an unsupported Node (${old ?? 'none found: set FLOWSTORE_OLD_NODE'}) the package imports and openStore rejects with FLOWSTORE_UNSUPPORTED_RUNTIME`, () => {
    if (old === undefined) throw new Error('no unsupported Node to try');
    const codes = JSON.parse(runQuietly(old, ['old.mjs'], app)) as string[];
    const expected = `FLOWSTORE_UNSUPPORTED_RUNTIME ${SUPPORTED_NODE_RANGE}`;
    if (codes.length !== 2 || codes.some((code) => code !== expected)) throw new Error(JSON.stringify(codes));
    if (existsSync(join(app, 'old.db'))) throw new Error('a database file was created');
  });
  check('on an unsupported Node the CLI exits 1 with FLOWSTORE_UNSUPPORTED_RUNTIME', () => {
    if (old === undefined) throw new Error('no unsupported Node to try');
    const { status, stderr } = spawnSync(old, [join(app, 'node_modules/flowstore/bin/flowstore.js'), 'stats', join(app, 'app.db')], { encoding: 'utf8' });
    if (status !== 1 || !stderr.startsWith('FLOWSTORE_UNSUPPORTED_RUNTIME')) throw new Error(`exit ${status}\n${stderr}`);
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`package: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
