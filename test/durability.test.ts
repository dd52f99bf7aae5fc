/** Durability 'full' (each batch's commit syncs the WAL before it is acknowledged) and the checkpointer thread. */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { openStore, type Store } from '../src/index.ts';
import type { CheckpointerClient } from '../src/backends/sqlite/checkpointer-client.ts';
import { tempDir } from './helpers.ts';

const state = (i: number) => ({ pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: i, pipelineContext: { i, pad: 'x'.repeat(2000) }, lastStepOutput: null, status: 'running' as const });

function checkpointer(store: Store): CheckpointerClient {
  return (store as unknown as Record<symbol, { companion: CheckpointerClient }>)[Symbol.for('flowstore.internals')]!.companion;
}

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
  t.after(() => reopened.close());
  assert.deepEqual(await reopened.query('SELECT COUNT(*) AS n FROM workflow_state'), [{ n: 501 }]);
});

test('the checkpointer copies the WAL back into the database file while the store runs', async (t) => {
  const path = join(tempDir(t), 'wal.db');
  const store = await openStore({ path });
  t.after(() => store.close());
  const before = statSync(path).size;
  // About 3,000 pages: far below the writer's own auto-checkpoint threshold, so only the checkpointer moves them.
  await Promise.all(Array.from({ length: 4000 }, (_, i) => store.runs.saveState(`run_${i}`, state(i))));
  let after = statSync(path).size;
  for (let waited = 0; after <= before + 4_000_000 && waited < 5000; waited += 50) {
    await sleep(50);
    after = statSync(path).size;
  }
  assert.ok(after > before + 4_000_000, `database file grew from ${before} to ${after} bytes`);
});

test('a store whose checkpointer thread dies goes on working', async (t) => {
  const path = join(tempDir(t), 'no-checkpointer.db');
  const store = await openStore({ path });
  t.after(() => store.close());
  await checkpointer(store).worker.terminate();
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.runs.saveState(`run_${i}`, state(i))));
  assert.deepEqual(await store.query('SELECT COUNT(*) AS n FROM workflow_state'), [{ n: 200 }]);
});
