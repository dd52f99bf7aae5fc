import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import { Backlog } from '../src/engine/backlog.ts';
import type { CheckpointerClient } from '../src/backends/sqlite/checkpointer-client.ts';
import type { Store } from '../src/index.ts';
import { BACKENDS, tempStore } from './helpers.ts';

const state = (i: number, notes = '') => ({ pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: i, pipelineContext: { i, notes }, lastStepOutput: null, status: 'running' as const });

/** Settles every promise, counting fulfilled ones and the codes of rejected ones. */
async function outcomes(promises: Promise<unknown>[]): Promise<{ ok: number; codes: Record<string, number> }> {
  const codes: Record<string, number> = {};
  let ok = 0;
  for (const o of await Promise.allSettled(promises)) {
    if (o.status === 'fulfilled') ok++;
    else codes[o.reason.code] = (codes[o.reason.code] ?? 0) + 1;
  }
  return { ok, codes };
}

describe('Backlog', () => {
  test('refuses past the mark, asks for a drain at it, and resolves drained() at half of it', async () => {
    const backlog = new Backlog('writes', 4);
    for (let i = 0; i < 4; i++) assert.equal(backlog.tryEnter(), true);
    assert.equal(backlog.needsDrain, true);
    assert.equal(backlog.tryEnter(), false);
    let drained = false;
    const waiting = backlog.drained().then(() => { drained = true; });
    backlog.leave();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(drained, false, 'three left: above half the mark');
    assert.equal(backlog.needsDrain, true);
    assert.equal(backlog.tryEnter(), true, 'below the mark there is room again');
    backlog.leave(2);
    await waiting;
    assert.equal(backlog.needsDrain, false);
    assert.deepEqual(backlog.snapshot(), { highWaterMark: 4, depth: 2, peak: 4, rejected: 1, drains: 1 });
    assert.equal(backlog.overloaded('runs.saveState').code, 'FLOWSTORE_OVERLOADED');
  });
});

for (const backend of BACKENDS) describe(`backpressure on ${backend.name}`, () => {
  test('writes past highWaterMark reject at once with FLOWSTORE_OVERLOADED; every accepted one is stored', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 10 });
    const writes = Array.from({ length: 25 }, (_, i) => store.runs.saveState(`run_${i}`, state(i)));
    assert.equal(store.needsDrain, true);
    const rejected = await Promise.allSettled(writes.slice(10));
    for (const o of rejected) assert.equal((o as PromiseRejectedResult).reason?.code, 'FLOWSTORE_OVERLOADED');
    await store.drained();
    assert.equal(store.needsDrain, false);
    assert.deepEqual(await outcomes(writes), { ok: 10, codes: { FLOWSTORE_OVERLOADED: 15 } });
    for (let i = 0; i < 25; i++) assert.equal((await store.runs.loadState(`run_${i}`))?.currentStepIndex, i < 10 ? i : undefined);
    const { backpressure } = await store.metrics();
    assert.deepEqual(backpressure.writes, { highWaterMark: 10, depth: 0, peak: 10, rejected: 15, drains: 1 });
  });

  test('a caller that awaits drained() whenever needsDrain is set is never refused', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 64 });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 2000; i++) {
      writes.push(store.runs.saveState(`run_${i}`, state(i)));
      if (store.needsDrain) await store.drained();
    }
    assert.deepEqual(await outcomes(writes), { ok: 2000, codes: {} });
    const { backpressure } = await store.metrics();
    assert.equal(backpressure.writes.rejected, 0);
    assert.ok(backpressure.writes.drains > 0, 'the caller was held back');
    assert.ok(backpressure.writes.peak <= 64);
    assert.equal((await store.query('SELECT count(*) AS n FROM workflow_state'))[0]!.n, 2000);
  });

  test('reads have a mark of their own, and a write flood does not refuse them', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 8 });
    await store.runs.saveState('run_1', state(1));
    const writes = outcomes(Array.from({ length: 20 }, (_, i) => store.runs.saveState(`flood_${i}`, state(i))));
    const reads = Array.from({ length: 20 }, () => store.runs.loadState('run_1'));
    assert.deepEqual(await outcomes(reads), { ok: 8, codes: { FLOWSTORE_OVERLOADED: 12 } });
    await writes;
    const { backpressure } = await store.metrics();
    assert.equal(backpressure.reads.rejected, 12);
    assert.equal(backpressure.reads.peak, 8);
    assert.equal(backpressure.writes.rejected, 12);
  });

  test('transactions waiting their turn count against the mark; refused ones never run', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 2 });
    const ran: number[] = [];
    const txs = [1, 2, 3].map((n) => store.transaction(async (tx) => {
      ran.push(n);
      await tx.runs.saveState(`tx_${n}`, state(n));
    }));
    assert.deepEqual(await outcomes(txs), { ok: 2, codes: { FLOWSTORE_OVERLOADED: 1 } });
    assert.deepEqual(ran, [1, 2]);
    assert.equal(await store.runs.loadState('tx_3'), null);
    assert.equal((await store.metrics()).backpressure.transactions.rejected, 1);
  });

  test("a flood of other writes, waiting for a transaction, does not refuse the transaction's own", async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 5 });
    let begun!: () => void;
    const open = new Promise<void>((resolve) => { begun = resolve; });
    let flooded!: () => void;
    const full = new Promise<void>((resolve) => { flooded = resolve; });
    const done = store.transaction(async (tx) => {
      begun();
      await full;
      await Promise.all([1, 2, 3, 4, 5].map((i) => tx.runs.saveState(`tx_${i}`, state(i))));
    });
    await open;
    const outside = outcomes(Array.from({ length: 8 }, (_, i) => store.runs.saveState(`out_${i}`, state(i))));
    assert.equal(store.needsDrain, true);
    flooded();
    await done;
    assert.deepEqual(await outside, { ok: 5, codes: { FLOWSTORE_OVERLOADED: 3 } });
    assert.equal((await store.query("SELECT count(*) AS n FROM workflow_state WHERE run_id LIKE 'tx_%'"))[0]!.n, 5);
  });

  test('drained() resolves at once when nothing is held back', async (t) => {
    const store = await tempStore(t, { path: backend.path });
    assert.equal(store.needsDrain, false);
    await store.drained();
  });
});

describe('WAL size', () => {
  const limit = 256 * 1024;
  const burst = (store: Store) => Promise.all(Array.from({ length: 2000 }, (_, i) => store.runs.saveState(`run_${i}`, state(i, 'x'.repeat(2000)))));
  const walSize = (store: Store) => statSync(`${store.path}-wal`).size;

  test('after a burst, the checkpointer copies the WAL back and truncates it to walSizeLimitBytes', async (t) => {
    const store = await tempStore(t, { walSizeLimitBytes: limit });
    await burst(store);
    assert.ok(walSize(store) > 4 * limit, `the burst grew the WAL (${walSize(store)} bytes)`);
    const deadline = Date.now() + 10_000;
    while (walSize(store) > limit && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(walSize(store) <= limit, `WAL ${walSize(store)} bytes`);
    assert.equal((await store.runs.loadState('run_1999'))?.currentStepIndex, 1999);
  });

  test("the writer's next commit after a checkpoint truncates the WAL to walSizeLimitBytes", async (t) => {
    const store = await tempStore(t, { walSizeLimitBytes: limit });
    const { companion: checkpointer } = (store as unknown as Record<symbol, { companion: CheckpointerClient }>)[Symbol.for('flowstore.internals')]!;
    await checkpointer.stop();
    await burst(store);
    assert.ok(walSize(store) > 4 * limit, `the burst grew the WAL (${walSize(store)} bytes)`);
    const other = new DatabaseSync(store.path);
    t.after(() => other.close());
    assert.equal((other.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as { busy: number }).busy, 0);
    assert.ok(walSize(store) > 4 * limit, 'a checkpoint alone does not shrink the file');
    await store.runs.saveState('after', state(1));
    assert.ok(walSize(store) <= limit, `WAL ${walSize(store)} bytes`);
  });
});
