import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS, tempStore } from './helpers.ts';

const state = { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: {}, lastStepOutput: null, status: 'running' as const };

for (const backend of BACKENDS) {
  describe(`store.query on ${backend.name}`, () => {
    test('runs one read-only statement with bound values and returns plain rows', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('r1', state);
      const rows = await store.query('SELECT run_id, ? AS echoed FROM workflow_state WHERE run_id = ?', ["'; DROP TABLE x; --", 'r1']);
      assert.deepEqual(rows, [{ run_id: 'r1', echoed: "'; DROP TABLE x; --" }]);
      assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype);
      assert.deepEqual(await store.query('SELECT :a + :b AS n', { a: 1, b: 2 }), [{ n: 3 }]);
    });

    test('a statement that would write is FLOWSTORE_INVALID_ARGUMENT and changes nothing', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('r1', state);
      for (const sql of ["DELETE FROM workflow_state", "UPDATE workflow_state SET status = 'failed'", 'DROP TABLE workflow_state', 'CREATE TABLE evil (x)', 'PRAGMA user_version = 5']) {
        await assert.rejects(store.query(sql), { code: 'FLOWSTORE_INVALID_ARGUMENT' }, sql);
      }
      assert.equal((await store.runs.loadState('r1'))?.status, 'running');
    });

    test('a write statement inside a transaction is refused too', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('r1', state);
      await store.transaction(async (tx) => {
        await assert.rejects(tx.query('DELETE FROM workflow_state'), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
        assert.deepEqual(await tx.query('SELECT COUNT(*) AS n FROM workflow_state'), [{ n: 1 }]);
      });
      assert.equal((await store.runs.loadState('r1'))?.status, 'running');
    });

    test('bad SQL and bad parameters are FLOWSTORE_INVALID_ARGUMENT', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await assert.rejects(store.query('SELEKT 1'), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(store.query(''), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(store.query('SELECT ?', [{ an: 'object' }] as never), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    });
  });
}
