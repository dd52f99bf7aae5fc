/** Durability 'full' (each batch's commit syncs the WAL before it is acknowledged) and the checkpointer thread. */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../src/index.ts';
import { checkpointerOf, cleanup, tempDir, waitFor } from './helpers.ts';

const state = (i: number) => ({ pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: i, pipelineContext: { i, pad: 'x'.repeat(2000) }, lastStepOutput: null, status: 'running' as const });

test("durability 'full': every acknowledged write is in the file, also across a transaction and a reopen", async (t) => {
  const path = join(tempDir(t), 'full.db');
  const store = await openStore({ path, durability: 'full' });
  const outcomes = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => store.runs.saveState(`run_${i}`, state(i))));
  assert.ok(outcomes.every((o) => o.status === 'fulfilled'));
  await store.transaction(async (tx) => {
    await tx.runs.saveState('in_tx', state(1));
  });
  await store.close();
  const reopened = await openStore({ path });
  cleanup(t, () => reopened.close());
  assert.deepEqual(await reopened.query('SELECT COUNT(*) AS n FROM workflow_state'), [{ n: 501 }]);
});

test('the checkpointer copies the WAL back into the database file while the store runs', async (t) => {
  const path = join(tempDir(t), 'wal.db');
  const store = await openStore({ path });
  cleanup(t, () => store.close());
  const before = statSync(path).size;
  // About 3,000 pages: far below the writer's own auto-checkpoint threshold, so only the checkpointer moves them.
  await Promise.all(Array.from({ length: 4000 }, (_, i) => store.runs.saveState(`run_${i}`, state(i))));
  // The checkpointer starts a while after the store opened; then it copies the pages back.
  await waitFor(() => statSync(path).size > before + 4_000_000, `the database file to grow from ${before} bytes`);
});

test('a store whose checkpointer thread dies goes on working', async (t) => {
  const path = join(tempDir(t), 'no-checkpointer.db');
  const store = await openStore({ path });
  cleanup(t, () => store.close());
  await (await checkpointerOf(store)).worker.terminate();
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.runs.saveState(`run_${i}`, state(i))));
  assert.deepEqual(await store.query('SELECT COUNT(*) AS n FROM workflow_state'), [{ n: 200 }]);
});
