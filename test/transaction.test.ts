/** The engine's store.transaction(fn), proven through store.runs on a file and on :memory:. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Transaction } from '../src/index.ts';
import { BACKENDS, POSTGRES, tempStore } from './helpers.ts';
import { PGLITE_ONE_SESSION, REAL_POSTGRES_URL } from './helpers-postgres.ts';

const state = (status: 'running' | 'completed' = 'running', step = 0) => ({
  pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: step,
  pipelineContext: { step }, lastStepOutput: null, status,
});

for (const backend of BACKENDS) {
  describe(`store.transaction on ${backend.name}`, () => {
    test('commits every write together and returns fn’s value; reads inside see the transaction’s writes', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const result = await store.transaction(async (tx) => {
        await tx.runs.saveState('a', state());
        await tx.runs.saveState('b', state());
        // Inside: the writes are visible through tx.
        assert.equal((await tx.runs.loadState('a'))?.runId, 'a');
        assert.equal((await tx.runs.listWorkflows()).length, 2);
        return 42;
      });
      assert.equal(result, 42);
      assert.equal((await store.runs.listWorkflows()).length, 2);
    });

    test('a read outside an open transaction does not see its writes', { skip: backend.path === POSTGRES && !REAL_POSTGRES_URL && PGLITE_ONE_SESSION }, async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.transaction(async (tx) => {
        await tx.runs.saveState('a', state());
        if (backend.name !== ':memory:') {
          // A reader outside (WAL, or PostgreSQL's snapshots) does not see it yet.
          assert.equal(await store.runs.loadState('a'), null);
        } else {
          // In memory a reader would wait for this very transaction: refused, not deadlocked.
          await assert.rejects(store.runs.loadState('a'), { code: 'FLOWSTORE_CONFLICT' });
        }
      });
      assert.equal((await store.runs.loadState('a'))?.runId, 'a');
    });

    test('rolls back everything when fn throws, and rethrows its error', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('kept', state());
      const boom = new Error('boom');
      await assert.rejects(store.transaction(async (tx) => {
        await tx.runs.saveState('a', state());
        await tx.runs.deleteState('kept');
        throw boom;
      }), (error) => error === boom);
      assert.equal(await store.runs.loadState('a'), null);
      assert.equal((await store.runs.loadState('kept'))?.runId, 'kept');
    });

    test('a failing operation inside rejects alone; fn may go on and commit', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.transaction(async (tx) => {
        await tx.runs.saveState('a', state());
        await assert.rejects(tx.runs.saveState('', state()), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
        await tx.runs.saveState('b', state());
      });
      assert.equal((await store.runs.listWorkflows()).length, 2);
    });

    test('outside writes wait for the transaction: not lost, not interleaved', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      let outsideDone = 0;
      let begun!: () => void;
      const inside = new Promise<void>((resolve) => { begun = resolve; });
      let release!: () => void;
      const released = new Promise<void>((resolve) => { release = resolve; });
      const transaction = store.transaction(async (tx) => {
        await tx.runs.saveState('shared', state('running', 1));
        begun();
        await released;
        // Nothing from outside has landed inside the transaction.
        assert.equal(outsideDone, 0);
        assert.equal((await tx.runs.loadState('shared'))?.currentStepIndex, 1);
        assert.equal(await tx.runs.loadState('o1'), null);
        await tx.runs.saveState('shared', state('running', 2));
      });
      await inside;
      // Another caller, outside the transaction's async context, writes meanwhile.
      const outside = Array.from({ length: 20 }, (_, i) => store.runs.saveState(i === 0 ? 'shared' : `o${i}`, state('completed', 99)).then(() => { outsideDone++; }));
      await sleep(50);
      release();
      await transaction;
      await Promise.all(outside);
      assert.equal(outsideDone, 20);
      // The outside write to the same key ran after the commit, so it wins.
      assert.equal((await store.runs.loadState('shared'))?.currentStepIndex, 99);
      assert.equal((await store.runs.listWorkflows()).length, 20);
    });

    test('atomicity under concurrent outside writes: a transaction that throws halfway leaves no trace', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const outside: Promise<void>[] = [];
      let stop = false;
      const writer = (async () => {
        for (let i = 0; !stop; i++) {
          outside.push(store.runs.saveState(`out${i}`, state()));
          await sleep(1);
        }
      })();
      await sleep(10);
      await assert.rejects(store.transaction(async (tx) => {
        for (let i = 0; i < 10; i++) await tx.runs.saveState(`tx${i}`, state());
        await sleep(20);
        for (let i = 10; i < 20; i++) await tx.runs.saveState(`tx${i}`, state());
        throw new Error('halfway');
      }), { message: 'halfway' });
      await sleep(10);
      stop = true;
      await writer;
      await Promise.all(outside);
      const rows = await store.query("SELECT run_id FROM workflow_state WHERE run_id LIKE 'tx%'");
      assert.deepEqual(rows, []);
      const kept = await store.query("SELECT COUNT(*) AS n FROM workflow_state WHERE run_id LIKE 'out%'");
      assert.equal(kept[0]!.n, outside.length);
      assert.ok(outside.length > 5);
    });

    test('a transaction left open past its timeout is rolled back with FLOWSTORE_TX_TIMEOUT', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      let late: Promise<unknown> | undefined;
      await assert.rejects(store.transaction(async (tx) => {
        await tx.runs.saveState('slow', state());
        await sleep(400);
        late = tx.runs.saveState('late', state());
        late.catch(() => {});
      }, { timeoutMs: 100 }), { code: 'FLOWSTORE_TX_TIMEOUT' });
      assert.equal(await store.runs.loadState('slow'), null);
      // The store goes on: writes after the timeout commit.
      await store.runs.saveState('after', state());
      assert.equal((await store.runs.loadState('after'))?.runId, 'after');
      await sleep(400);
      assert.ok(late);
      await assert.rejects(late, { code: 'FLOWSTORE_CLOSED' });
      assert.equal(await store.runs.loadState('late'), null);
    });

    test('nesting rejects with FLOWSTORE_CONFLICT, and so does a write on the store from inside', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.transaction(async (tx) => {
        await assert.rejects(store.transaction(async () => {}), { code: 'FLOWSTORE_CONFLICT' });
        await assert.rejects(store.runs.saveState('x', state()), { code: 'FLOWSTORE_CONFLICT' });
        await tx.runs.saveState('y', state());
      });
      assert.equal(await store.runs.loadState('x'), null);
      assert.equal((await store.runs.loadState('y'))?.runId, 'y');
    });

    test('a tx used after its transaction ended rejects with FLOWSTORE_CLOSED', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      let kept: Transaction | undefined;
      await store.transaction((tx) => { kept = tx; });
      await assert.rejects(kept!.runs.saveState('x', state()), { code: 'FLOWSTORE_CLOSED' });
      await assert.rejects(kept!.runs.loadState('x'), { code: 'FLOWSTORE_CLOSED' });
      await assert.rejects(store.transaction(async (tx) => { kept = tx; throw new Error('no'); }), { message: 'no' });
      await assert.rejects(kept!.runs.saveState('x', state()), { code: 'FLOWSTORE_CLOSED' });
      assert.equal(await store.runs.loadState('x'), null);
    });

    test('transactions from concurrent callers run one after another', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('counter', state('running', 0));
      const bump = () => store.transaction(async (tx) => {
        const current = (await tx.runs.loadState('counter'))!.currentStepIndex;
        await sleep(5);
        await tx.runs.saveState('counter', state('running', current + 1));
      });
      await Promise.all(Array.from({ length: 8 }, bump));
      assert.equal((await store.runs.loadState('counter'))?.currentStepIndex, 8);
    });

    test('a bad timeout and a closed store are coded errors', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await assert.rejects(store.transaction(() => {}, { timeoutMs: 0 }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await store.close();
      await assert.rejects(store.transaction(() => {}), { code: 'FLOWSTORE_CLOSED' });
    });
  });
}
