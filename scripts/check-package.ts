/**
 * The package as a user gets it: `npm pack`, install the tarball into an empty
 * folder, then open a store, write and read, through the compiled JavaScript (Node
 * will not strip types inside node_modules), the `flowstore/aaow` entry and the CLI.
 * Prints `N passed, N failed` so CI counts it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

try {
  const packed = execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [{ filename, files }] = JSON.parse(packed.slice(packed.indexOf('['))) as [{ filename: string; files: { path: string }[] }];
  check('the tarball holds compiled JavaScript and no TypeScript sources', () => {
    const paths = files.map((f) => f.path);
    for (const needed of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/workers/writer.js', 'dist/workers/reader.js', 'dist/bin/flowstore.js', 'dist/src/aaow/index.js',
      'dist/migrations/sqlite/0001_runs.sql', 'dist/migrations/postgres/0001_runs.sql',
      'dist/src/ui/index.js', 'dist/src/ui/assets/index.html', 'dist/src/ui/assets/js/app.js', 'dist/src/ui/assets/app.css',
      'dist/src/langgraph/index.js', 'dist/src/langgraph/index.d.ts', 'dist/migrations/sqlite/0006_langgraph.sql', 'dist/migrations/postgres/0006_langgraph.sql']) {
      if (!paths.includes(needed)) throw new Error(`missing ${needed}`);
    }
    const sources = paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'));
    if (sources.length > 0) throw new Error(`TypeScript sources in the package: ${sources.join(', ')}`);
  });
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', join(work, filename)], { cwd: app, stdio: 'inherit' });
  writeFileSync(join(app, 'use.mjs'), `
    import { openStore, isFlowstoreError } from 'flowstore';
    import { SQLiteStorageAdapter } from 'flowstore/aaow';
    const store = await openStore({ path: './app.db' });
    await store.runs.saveState('run_1', { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: { n: 1n }, lastStepOutput: null, status: 'running' });
    const state = await store.runs.loadState('run_1');
    if (state?.pipelineContext.n !== 1n) throw new Error('read back ' + JSON.stringify(state));
    try { await store.runs.loadState(''); throw new Error('no error'); } catch (e) { if (!isFlowstoreError(e)) throw e; }
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
  check('an installed package opens a store, writes and reads', () => {
    const out = execFileSync(process.execPath, ['use.mjs'], { cwd: app, encoding: 'utf8' });
    if (!out.includes('store ok')) throw new Error(out);
  });
  check('the installed CLI runs', () => {
    const out = execFileSync(process.execPath, [join(app, 'node_modules/flowstore/dist/bin/flowstore.js'), 'stats', join(app, 'app.db'), '--json'], { encoding: 'utf8' });
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
    const child = spawn(process.execPath, ['node_modules/flowstore/dist/bin/flowstore.js', 'ui', 'app.db', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
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
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`package: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
