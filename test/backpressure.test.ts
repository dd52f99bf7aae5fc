import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import { Backlog } from '../src/engine/backlog.ts';
import type { Store } from '../src/index.ts';
import { BACKENDS, checkpointerOf, cleanup, tempStore } from './helpers.ts';

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

/** Lets every queued microtask and immediate run. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('Backlog', () => {
  test('past the mark a call waits, and is admitted in order as the ones before it leave; drained() once nothing waits and the depth is at half', async () => {
    const backlog = new Backlog('writes', 4);
    for (let i = 0; i < 4; i++) assert.equal(backlog.tryEnter(), true);
    assert.equal(backlog.needsDrain, true);
    assert.equal(backlog.tryEnter(), false);
    const admitted: string[] = [];
    const admit = (name: string, n: number) => { admitted.push(name); return n; };
    const waiting = ['a', 'b', 'c'].map((name, n) => backlog.wait(name, admit, name, n));
    assert.equal(backlog.waiting, 3);
    assert.equal(backlog.tryEnter(), false, 'a new call goes behind the waiting ones, even once there is room');
    let drained = false;
    const drain = backlog.drained().then(() => { drained = true; });
    backlog.leave();
    assert.deepEqual(await waiting[0], 0);
    assert.deepEqual(admitted, ['a']);
    assert.equal(backlog.depth, 4);
    backlog.leave(2);
    assert.deepEqual(await Promise.all(waiting), [0, 1, 2]);
    assert.deepEqual(admitted, ['a', 'b', 'c'], 'admitted in the order they came');
    assert.equal(backlog.waiting, 0);
    await turn();
    assert.equal(drained, false, 'four in: above half the mark');
    backlog.leave(2);
    await drain;
    assert.equal(backlog.needsDrain, false);
    assert.deepEqual(backlog.snapshot(), { highWaterMark: 4, depth: 2, peak: 4, waiting: 0, waited: 3, rejected: 0, drains: 1 });
    let idle = false;
    const idled = backlog.idle().then(() => { idle = true; });
    backlog.leave();
    await turn();
    assert.equal(idle, false);
    backlog.leave();
    await idled;
  });

  test('a call admitted whose admit throws rejects with that error and leaves', async () => {
    const backlog = new Backlog('writes', 1);
    assert.equal(backlog.tryEnter(), true);
    const failing = backlog.wait('w', () => { throw new Error('changed meanwhile'); }, 0, 0);
    backlog.leave();
    await assert.rejects(failing, /changed meanwhile/);
    assert.equal(backlog.depth, 0);
    assert.equal(backlog.tryEnter(), true);
  });

  test('past maxWaiting a call is refused with FLOWSTORE_OVERLOADED; maxWaiting 0 refuses every call past the mark', async () => {
    const backlog = new Backlog('reads', 2, 1);
    backlog.tryEnter();
    backlog.tryEnter();
    const waiting = backlog.wait('runs.loadState', () => 'in', 0, 0);
    await assert.rejects(backlog.wait('runs.loadState', () => 'in', 0, 0), { code: 'FLOWSTORE_OVERLOADED', details: { op: 'runs.loadState', kind: 'reads', highWaterMark: 2, maxWaiting: 1, depth: 2, waiting: 1 } });
    backlog.leave();
    assert.equal(await waiting, 'in');
    assert.equal(backlog.snapshot().rejected, 1);
    const strict = new Backlog('writes', 1, 0);
    strict.tryEnter();
    await assert.rejects(strict.wait('w', () => 'in', 0, 0), { code: 'FLOWSTORE_OVERLOADED' });
  });
});

for (const backend of BACKENDS) describe(`backpressure on ${backend.name}`, () => {
  test('writes past highWaterMark wait their turn: every one is stored, the depth never passes the mark', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 10 });
    const writes = Array.from({ length: 25 }, (_, i) => store.runs.saveState(`run_${i}`, state(i)));
    assert.equal(store.needsDrain, true);
    assert.equal((await store.metrics()).backpressure.writes.waiting, 15);
    await store.drained();
    assert.equal(store.needsDrain, false);
    assert.deepEqual(await outcomes(writes), { ok: 25, codes: {} });
    for (let i = 0; i < 25; i++) assert.equal((await store.runs.loadState(`run_${i}`))?.currentStepIndex, i);
    const { backpressure } = await store.metrics();
    assert.deepEqual(backpressure.writes, { highWaterMark: 10, depth: 0, peak: 10, waiting: 0, waited: 15, rejected: 0, drains: 1 });
  });

  test('writes to one run past the mark land in the order they were issued', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 4 });
    const writes = Array.from({ length: 200 }, (_, i) => store.runs.saveState('same', state(i)));
    await Promise.all(writes);
    assert.equal((await store.runs.loadState('same'))?.currentStepIndex, 199);
    assert.ok((await store.metrics()).backpressure.writes.waited > 150);
  });

  test('a waiting call holds its input by reference and is validated at once: bad input rejects at the call', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 2 });
    const first = Array.from({ length: 20 }, (_, i) => store.runs.saveState(`run_${i}`, state(i)));
    let settledFirst = 0;
    first.forEach((p) => p.then(() => settledFirst++));
    const bad = store.runs.saveState('bad', { ...state(1), status: 'nope' as 'running' });
    await assert.rejects(bad, { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    assert.ok(settledFirst < 20, 'rejected before the calls before it were all stored');
    const held = state(7);
    const later = store.runs.saveState('held', held);
    held.pipelineContext = { i: 7, notes: 'changed while it waited' };
    await Promise.all([...first, later]);
    assert.deepEqual((await store.runs.loadState('held'))?.pipelineContext, { i: 7, notes: 'changed while it waited' });
    assert.equal(await store.runs.loadState('bad'), null);
  });

  test('with maxWaiting set, calls past it reject with FLOWSTORE_OVERLOADED and nothing they carried is stored; every accepted one is', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 10, maxWaiting: 5 });
    const writes = Array.from({ length: 25 }, (_, i) => store.runs.saveState(`run_${i}`, state(i)));
    const refused = await Promise.allSettled(writes.slice(15));
    for (const o of refused) assert.equal((o as PromiseRejectedResult).reason?.code, 'FLOWSTORE_OVERLOADED');
    assert.deepEqual(await outcomes(writes), { ok: 15, codes: { FLOWSTORE_OVERLOADED: 10 } });
    assert.equal((await store.query("SELECT count(*) AS n FROM workflow_state WHERE run_id LIKE 'run_%'"))[0]!.n, 15);
    for (let i = 0; i < 25; i++) assert.equal((await store.runs.loadState(`run_${i}`))?.currentStepIndex, i < 15 ? i : undefined);
    const { backpressure } = await store.metrics();
    assert.deepEqual(backpressure.writes, { highWaterMark: 10, depth: 0, peak: 10, waiting: 0, waited: 5, rejected: 10, drains: 1 });
  });

  test('a caller that awaits drained() whenever needsDrain is set never has a call waiting', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 64 });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 2000; i++) {
      writes.push(store.runs.saveState(`run_${i}`, state(i)));
      if (store.needsDrain) await store.drained();
    }
    assert.deepEqual(await outcomes(writes), { ok: 2000, codes: {} });
    const { backpressure } = await store.metrics();
    assert.equal(backpressure.writes.waited, 0);
    assert.ok(backpressure.writes.drains > 0, 'the caller was held back');
    assert.ok(backpressure.writes.peak <= 64);
    assert.equal((await store.query('SELECT count(*) AS n FROM workflow_state'))[0]!.n, 2000);
  });

  test('Promise.all over 100,000 loadState calls resolves', async (t) => {
    // On PGlite every connection shares one session, one message at a time: a second reader
    // that connects during the flood waits behind its queued reads, longer than the default
    // connect timeout (it failed so in CI once, 57 s in).
    const store = await tempStore(t, { path: backend.path, postgres: { connectTimeoutMs: 120_000 } });
    await store.runs.saveState('run_1', state(1));
    const ids = Array.from({ length: 100_000 }, (_, i) => (i % 100 === 0 ? 'run_1' : `missing_${i}`));
    const states = await Promise.all(ids.map((id) => store.runs.loadState(id)));
    assert.equal(states.length, 100_000);
    assert.equal(states.filter((s) => s?.currentStepIndex === 1).length, 1000);
    assert.equal(states.filter((s) => s === null).length, 99_000);
    const { reads } = (await store.metrics()).backpressure;
    assert.ok(reads.waited > 0 && reads.peak <= reads.highWaterMark, JSON.stringify(reads));
  });

  test('reads have a mark of their own: a read answers while a flood of writes waits', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 8 });
    await store.runs.saveState('run_1', state(1));
    await store.runs.loadState('run_1');
    const writes = Array.from({ length: 10_000 }, (_, i) => store.runs.saveState(`flood_${i}`, state(i)));
    const reads = await Promise.all(Array.from({ length: 20 }, () => store.runs.loadState('run_1')));
    const { backpressure } = await store.metrics();
    assert.ok(backpressure.writes.waiting > 0, 'writes still waited when the reads had answered');
    assert.equal(reads.filter((s) => s?.currentStepIndex === 1).length, 20);
    assert.equal(backpressure.reads.peak, 8);
    assert.deepEqual(await outcomes(writes), { ok: 10_000, codes: {} });
  });

  test('transactions past the mark wait their turn and run in order; with maxWaiting 0 they are refused and never run', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 2 });
    const ran: number[] = [];
    const txs = [1, 2, 3, 4].map((n) => store.transaction(async (tx) => {
      ran.push(n);
      await tx.runs.saveState(`tx_${n}`, state(n));
    }));
    assert.deepEqual(await outcomes(txs), { ok: 4, codes: {} });
    assert.deepEqual(ran, [1, 2, 3, 4]);
    assert.equal((await store.metrics()).backpressure.transactions.waited, 2);

    const strict = await tempStore(t, { path: backend.path, highWaterMark: 2, maxWaiting: 0 });
    const refusedRan: number[] = [];
    const refused = [1, 2, 3].map((n) => strict.transaction(async (tx) => {
      refusedRan.push(n);
      await tx.runs.saveState(`tx_${n}`, state(n));
    }));
    assert.deepEqual(await outcomes(refused), { ok: 2, codes: { FLOWSTORE_OVERLOADED: 1 } });
    assert.deepEqual(refusedRan, [1, 2]);
    assert.equal(await strict.runs.loadState('tx_3'), null);
    assert.equal((await strict.metrics()).backpressure.transactions.rejected, 1);
  });

  test('Promise.all over 20,000 saveState calls inside one transaction resolves', async (t) => {
    const store = await tempStore(t, { path: backend.path });
    await store.transaction(async (tx) => {
      await Promise.all(Array.from({ length: 20_000 }, (_, i) => tx.runs.saveState(`tx_${i}`, state(i))));
    }, { timeoutMs: 300_000 });
    const [row] = await store.query("SELECT count(*) AS n, sum(current_step_index) AS s FROM workflow_state WHERE run_id LIKE 'tx_%'");
    assert.equal(Number(row!.n), 20_000);
    assert.equal(Number(row!.s), (20_000 * 19_999) / 2);
  });

  test("a flood of other writes, waiting for a transaction, does not hold up the transaction's own", async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 5 });
    let begun!: () => void;
    const open = new Promise<void>((resolve) => { begun = resolve; });
    let flooded!: () => void;
    const full = new Promise<void>((resolve) => { flooded = resolve; });
    const done = store.transaction(async (tx) => {
      begun();
      await full;
      await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => tx.runs.saveState(`tx_${i}`, state(i))));
    });
    await open;
    const outside = outcomes(Array.from({ length: 8 }, (_, i) => store.runs.saveState(`out_${i}`, state(i))));
    assert.equal(store.needsDrain, true);
    flooded();
    await done;
    assert.deepEqual(await outside, { ok: 8, codes: {} });
    assert.equal((await store.query("SELECT count(*) AS n FROM workflow_state WHERE run_id LIKE 'tx_%'"))[0]!.n, 7);
  });

  test('close() with calls waiting: each of them is stored before the store closes', async (t) => {
    const store = await tempStore(t, { path: backend.path, highWaterMark: 4 });
    const writes = Array.from({ length: 300 }, (_, i) => store.runs.saveState(`run_${i}`, state(i)));
    await store.close();
    assert.deepEqual(await outcomes(writes), { ok: 300, codes: {} });
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
    await (await checkpointerOf(store)).stop();
    await burst(store);
    assert.ok(walSize(store) > 4 * limit, `the burst grew the WAL (${walSize(store)} bytes)`);
    const other = new DatabaseSync(store.path);
    cleanup(t, () => other.close());
    assert.equal((other.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as { busy: number }).busy, 0);
    assert.ok(walSize(store) > 4 * limit, 'a checkpoint alone does not shrink the file');
    await store.runs.saveState('after', state(1));
    assert.ok(walSize(store) <= limit, `WAL ${walSize(store)} bytes`);
  });
});
