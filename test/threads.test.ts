/**
 * How flowstore's threads load and stop, seen from outside in child processes: no thread
 * reaches an ES module through require() (what aborted Node 22), stores opened and closed
 * while their readers are still starting leave a clean exit, and a user's stderr carries
 * the user's warnings and none of flowstore's threads'.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
