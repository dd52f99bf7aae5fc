import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../src/index.ts';
import { cleanup, tempDir } from './helpers.ts';
import { collect, run, waitForLine } from './helpers-process.ts';

const state = { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: {}, lastStepOutput: null, status: 'running' as const };

test('a write waits for a lock another process holds for 1 s, then succeeds', async (t) => {
  const path = join(tempDir(t), 'locked.db');
  const store = await openStore({ path, busyTimeoutMs: 10_000 });
  cleanup(t, () => store.close());
  const holder = run('hold-lock.ts', [path, '1000']);
  const exited = collect(holder);
  await waitForLine(holder, 'locked');
  const started = Date.now();
  await store.runs.saveState('run_1', state);
  assert.ok(Date.now() - started >= 500, 'the write waited for the lock');
  assert.equal((await store.runs.loadState('run_1'))?.runId, 'run_1');
  assert.ok((await store.metrics()).busyRetries > 0);
  assert.equal((await exited).code, 0);
});

test('a lock held past busyTimeoutMs fails the write with FLOWSTORE_BUSY and writes nothing', async (t) => {
  const path = join(tempDir(t), 'locked.db');
  const store = await openStore({ path, busyTimeoutMs: 300 });
  cleanup(t, () => store.close());
  const holder = run('hold-lock.ts', [path, '2000']);
  const exited = collect(holder);
  await waitForLine(holder, 'locked');
  await assert.rejects(store.runs.saveState('run_1', state), { code: 'FLOWSTORE_BUSY' });
  await exited;
  assert.equal(await store.runs.loadState('run_1'), null);
  // Once the lock is gone, the store works again.
  await store.runs.saveState('run_2', state);
  assert.equal((await store.runs.loadState('run_2'))?.runId, 'run_2');
});
