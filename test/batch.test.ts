/** Write batches: an operation that fails on the writer rejects alone, leaves nothing behind, and its batch-mates commit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKENDS, tempStore } from './helpers.ts';

const state = (step: number) => ({ pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: step, pipelineContext: { step }, lastStepOutput: null, status: 'running' as const });

for (const backend of BACKENDS) {
  test(`a write that fails halfway through its SQL rejects alone, in a batch with others (${backend.name})`, async (t) => {
    const store = await tempStore(t, { path: backend.path });
    await store.dag.saveCache('d', { n: { old: 1 } });
    const before = (await store.metrics()).writeBatches;
    // Issued in one turn, so they share batches. The failing saveCache deletes d's cache and stores
    // `a` before it meets a value the writer cannot encode (a RegExp crosses threads, but is no JSON).
    const outcomes = await Promise.allSettled([
      store.runs.saveState('r1', state(1)),
      store.dag.saveCacheDelta('e', { n: { k: 1 } }),
      store.runs.saveState('r2', state(2)),
      store.dag.saveCache('d', { n: { a: 1, b: /re/ } }),
      store.runs.saveState('r3', state(3)),
      store.dag.saveCacheDelta('e', { m: { k: 2 } }),
      store.runs.saveState('r4', state(4)),
      store.runs.saveState('r5', state(5)),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    assert.equal((outcomes[3] as PromiseRejectedResult).reason.code, 'FLOWSTORE_INVALID_ARGUMENT');
    const metrics = await store.metrics();
    assert.ok(metrics.writeBatches - before < outcomes.length, 'the writes shared batches');
    assert.deepEqual(await store.dag.loadCache('d'), { n: { old: 1 } });
    assert.deepEqual(await store.dag.loadCache('e'), { n: { k: 1 }, m: { k: 2 } });
    const steps = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map(async (id) => (await store.runs.loadState(id))?.currentStepIndex));
    assert.deepEqual(steps, [1, 2, 3, 4, 5]);
  });
}

for (const backend of BACKENDS) {
  test(`two writes issued in one turn share one commit; more are split over the writer's two batches in flight (${backend.name})`, async (t) => {
    const store = await tempStore(t, { path: backend.path });
    await store.runs.saveState('warm', state(0));
    const batchesFor = async (count: number) => {
      const before = (await store.metrics()).writeBatches;
      await Promise.all(Array.from({ length: count }, (_, i) => store.runs.saveState(`r${count}-${i}`, state(i))));
      return (await store.metrics()).writeBatches - before;
    };
    // A job enqueued and the claim an idle worker sends for it at once are such a pair.
    assert.equal(await batchesFor(2), 1);
    assert.equal(await batchesFor(3), 2);
    assert.equal(await batchesFor(40), 2);
  });
}
