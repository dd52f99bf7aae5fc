/**
 * How flowstore's threads load and stop, seen from outside in child processes: no thread
 * reaches an ES module through require() (what aborted Node 22), stores opened and closed
 * while their readers are still starting leave a clean exit, and a user's stderr carries
 * the user's warnings and none of flowstore's threads'.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers.ts';
import { collect, fixture } from './helpers-process.ts';
import { MARK } from './fixtures/report-require-esm.ts';

function node(args: string[]) {
  return collect(spawn(process.execPath, args, { stdio: 'pipe' }));
}

/** The warnings in a stderr, as `type` or `[code] type`, in the order Node printed them. */
function warnings(stderr: string): string[] {
  return [...stderr.matchAll(/^\(node:\d+\) (\[\w+\] )?(\w+):/gm)].map((m) => `${m[1] ?? ''}${m[2]}`);
}

test("no flowstore thread loads an ES module through require(); the main thread's store loads its domains so when first used", async (t) => {
  const { code, signal, lines, stderr } = await node(['--import', fixture('report-require-esm.ts'), fixture('use-store.ts'), tempDir(t)]);
  assert.deepEqual({ code, signal, lines }, { code: 0, signal: null, lines: ['done'] });
  const required = stderr.split('\n').filter((line) => line.startsWith(MARK));
  // The main thread is never terminated, so the synchronous loader is safe there.
  assert.deepEqual(required.filter((line) => !line.startsWith(`${MARK} thread 0 `)), []);
  assert.ok(required.some((line) => line.endsWith('/src/domains/runs/api.ts')), required.join('\n'));
});

test('opening and closing stores while their readers start exits cleanly, every time', async () => {
  // Node 22 aborted here (SIGABRT) when a reader was terminated inside require(esm).
  const { code, signal, lines } = await node([fixture('churn-stores.ts'), '12', '4']);
  assert.deepEqual({ code, signal, lines }, { code: 0, signal: null, lines: ['done'] });
});

test("a user's stderr has the user's warnings, and none from flowstore's threads", async (t) => {
  // What Node itself prints when the application loads node:sqlite (once on 22, nothing on 24.15 and later).
  const own = await node(['--input-type=module', '-e', "await import('node:sqlite')"]);
  const { code, lines, stderr } = await node([fixture('use-store.ts'), tempDir(t), '--own-sqlite', '--own-warning']);
  assert.deepEqual({ code, lines }, { code: 0, lines: ['done'] });
  assert.deepEqual(warnings(stderr), [...warnings(own.stderr), '[APP_WARNING] AppWarning']);
});

test('a script run as `node --input-type=module -e` starts every thread: Node refuses that option in a thread running a file, so they do not inherit it', async (t) => {
  const path = join(tempDir(t), 'eval.db');
  const script = `
    const { openStore } = await import(${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)});
    const store = await openStore({ path: ${JSON.stringify(path)}, readers: 1 });
    const internals = () => store[Symbol.for('flowstore.internals')];
    await store.runs.saveState('run_1', { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: 3, pipelineContext: {}, lastStepOutput: null, status: 'running' });
    while (!internals().readers.ready || !internals().companion) await new Promise((resolve) => setTimeout(resolve, 10));
    console.log((await store.runs.loadState('run_1')).currentStepIndex);
    await store.close();`;
  const { code, signal, lines, stderr } = await node(['--input-type=module', '-e', script]);
  assert.deepEqual({ code, signal, lines }, { code: 0, signal: null, lines: ['3'] }, stderr);
  assert.doesNotMatch(stderr, /ERR_INPUT_TYPE_NOT_ALLOWED/);
});
