import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS, tempStore } from './helpers.ts';

const baseState = {
  pipelineId: 'data_processing',
  pipelineName: 'Data Processing Pipeline',
  pipelineVersion: '1.0.0',
  currentStepIndex: 2,
  pipelineContext: { input_data: 'sample.csv', processed_rows: 1000 },
  lastStepOutput: { status: 'success', rows_processed: 1000 },
  status: 'running' as const,
  totalSteps: 5,
  errorMessage: null,
  executionTimeMs: 1500,
  memoryUsageMb: 45.2,
};

for (const backend of BACKENDS) {
  describe(`store.runs on ${backend.name}`, () => {
    test('saveState then loadState round-trips every field and special values', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const context = { when: new Date('2024-01-02T03:04:05.678Z'), big: 2n ** 70n, map: new Map([['a', new Set([1, 2])]]), bytes: new Uint8Array([1, 2, 255]), missing: undefined, nested: [{ deep: [undefined, null] }] };
      await store.runs.saveState('run_123', { ...baseState, pipelineContext: context });
      const loaded = await store.runs.loadState('run_123');
      assert.ok(loaded);
      assert.equal(loaded.runId, 'run_123');
      assert.equal(loaded.pipelineName, 'Data Processing Pipeline');
      assert.equal(loaded.currentStepIndex, 2);
      assert.equal(loaded.memoryUsageMb, 45.2);
      assert.deepEqual(loaded.pipelineContext, context);
      assert.ok('missing' in (loaded.pipelineContext as object));
      assert.ok(loaded.createdAt instanceof Date);
    });

    test('loadState of an unknown run is null; deleteState removes it', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      assert.equal(await store.runs.loadState('nope'), null);
      await store.runs.saveState('run_1', baseState);
      assert.equal(await store.runs.deleteState('run_1'), true);
      assert.equal(await store.runs.loadState('run_1'), null);
      assert.equal(await store.runs.deleteState('run_1'), false);
    });
  });
}
