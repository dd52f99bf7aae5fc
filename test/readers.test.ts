import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { deserialize } from 'node:v8';
import { test } from 'node:test';
import type { ReaderClient } from '../src/engine/reader-client.ts';
import type { Store } from '../src/index.ts';
import { BACKENDS, readerReady, tempStore, waitFor } from './helpers.ts';
import { DEFAULT_READER_NICENESS } from '../src/options.ts';
import { Backlog } from '../src/engine/backlog.ts';
import { readerBalancer } from '../src/engine/balancer.ts';
import { Pending, SETTLE_SLICE_MS, settle } from '../src/engine/batcher.ts';
import type { Op } from '../src/engine/op.ts';
import { fromJsonText, toJsonText } from '../src/codec.ts';
import { LARGE_RESULT_CHARS, OutcomeBuilder, serializeValue } from '../src/engine/protocol.ts';

const state = (i: number) => ({ pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: i, pipelineContext: { i }, lastStepOutput: null, status: 'running' as const });
const SCAN = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT count(*) AS n FROM c';

function readers(store: Store): ReaderClient {
  return (store as unknown as Record<symbol, { readers: ReaderClient }>)[Symbol.for('flowstore.internals')]!.readers;
}

test('point reads keep flowing on the other reader while one runs a long scan, none held behind it', async (t) => {
  const store = await tempStore(t, { readers: 2 });
  await Promise.all(Array.from({ length: 100 }, (_, i) => store.runs.saveState(`run_${i}`, state(i))));
  let scanned = false;
  const scan = store.query(SCAN).then((rows) => { scanned = true; return rows; });
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (let round = 0; round < 50; round++) {
    const states = await Promise.all(Array.from({ length: 32 }, (_, i) => store.runs.loadState(`run_${(round + i) % 100}`)));
    assert.equal(states[0]?.currentStepIndex, round % 100);
  }
  assert.equal(scanned, false, 'every round answered while the scan still ran');
  assert.equal((await scan)[0]!.n, 20_000_000);
});

/** The nice value of each of this process's threads, read from /proc (Linux). */
function threadNices(): number[] {
  const nice = (stat: string) => Number(stat.split(') ')[1]!.split(' ')[16]);
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      return [nice(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'))];
    } catch {
      return []; // a thread that ended meanwhile
    }
  });
}

for (const backend of BACKENDS) {
  test(`${backend.name}: reader threads run readerNiceness steps below the thread that opened the store`, { skip: process.platform === 'linux' ? false : 'threads have a priority of their own on Linux only' }, async (t) => {
    const own = Number(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ')[16]);
    const below = () => threadNices().filter((nice) => nice > own);
    for (const [readerNiceness, expected] of [[undefined, DEFAULT_READER_NICENESS], [10, 10], [3, 3], [0, 0]] as const) {
      const before = below().length;
      const store = await tempStore(t, { path: backend.path, readers: 2, ...(readerNiceness === undefined ? {} : { readerNiceness }) });
      await store.runs.saveState('run_1', state(1));
      // A thread lowers its priority as it starts: reads until both have (or 5 s), and until both have answered.
      const want = expected === 0 ? 0 : 2;
      const deadline = Date.now() + 5000;
      do await Promise.all(Array.from({ length: 64 }, () => store.runs.loadState('run_1')));
      while ((below().length - before < want || readers(store).threads.length < 2) && Date.now() < deadline);
      const lowered = below();
      assert.equal(lowered.length - before, want, `readerNiceness ${readerNiceness}`);
      assert.ok(lowered.every((nice) => nice === Math.min(19, own + expected)));
      assert.equal((await store.runs.loadState('run_1'))?.currentStepIndex, 1);
      await store.close();
    }
  });
}

test('a batch goes to a reader thread that has started, not to one still starting, which Piscina offers first', () => {
  const started = new Set([1]);
  const balance = readerBalancer(2, (threadId) => started.has(threadId));
  type Thread = Parameters<typeof balance>[1][number];
  const thread = (id: number, currentUsage: number) => ({ id, currentUsage }) as Thread;
  const task = {} as Parameters<typeof balance>[0];
  assert.equal(balance(task, [thread(2, 0), thread(1, 1)])?.id, 1);
  assert.equal(balance(task, [thread(2, 0), thread(1, 2)]), null, 'the started thread is full: the batch waits for it, not for the other to start');
  started.add(2);
  assert.equal(balance(task, [thread(2, 0), thread(1, 2)])?.id, 2, 'once it has started, it takes batches');
  const noneYet = readerBalancer(2, () => false);
  assert.equal(noneYet(task, [thread(3, 0)])?.id, 3, "none has started (the pool's first thread): the batch waits in one, as before");
});

test('a reader that dies holding two batches rejects both with FLOWSTORE_WORKER_EXITED', async (t) => {
  const store = await tempStore(t, { readers: 1 });
  await store.runs.saveState('run_1', state(1));
  await readerReady(store);
  // The second batch waits on the thread behind the first only if it comes while the first is
  // new (balancer.ts, SLOW_MS); on a loaded machine it may come later and wait in the pool's
  // queue instead, for the thread that replaces the killed one. Then the case is tried again.
  for (let attempt = 1; ; attempt++) {
    await readerReady(store);
    const first = store.query(SCAN);
    // Issued in the next turn: a batch of its own, sent to the same thread to wait behind the first.
    await new Promise((resolve) => setImmediate(resolve));
    const second = Array.from({ length: 5 }, () => store.runs.loadState('run_1'));
    await waitFor(() => readers(store).queued === 2, 'both batches sent to the pool');
    const held = readers(store).undispatched === 0;
    await readers(store).threads[0]!.terminate();
    const outcomes = await Promise.allSettled([first, ...second]);
    assert.equal((outcomes[0] as PromiseRejectedResult).reason?.code, 'FLOWSTORE_WORKER_EXITED');
    if (held) {
      for (const outcome of outcomes) assert.equal((outcome as PromiseRejectedResult).reason?.code, 'FLOWSTORE_WORKER_EXITED');
      break;
    }
    for (const outcome of outcomes.slice(1)) assert.equal((outcome as PromiseFulfilledResult<{ currentStepIndex: number } | null>).value?.currentStepIndex, 1);
    assert.ok(attempt < 5, 'the second batch never joined the first on its thread');
  }
  assert.equal((await store.runs.loadState('run_1'))?.currentStepIndex, 1);
});

test('a read whose stored JSON is damaged rejects alone with FLOWSTORE_CORRUPT, decoded on the main thread or not', async (t) => {
  const store = await tempStore(t, { readers: 1 });
  await store.runs.saveState('good', state(1));
  await store.runs.saveState('small', state(2));
  await store.runs.saveState('large', { ...state(3), pipelineContext: { notes: 'x'.repeat(20_000) } });
  await store.transaction(async () => {});
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(store.path);
  db.exec("UPDATE workflow_state SET pipeline_context = '{broken' WHERE run_id = 'small'");
  db.exec(`UPDATE workflow_state SET pipeline_context = '{${'x'.repeat(20_000)}' WHERE run_id = 'large'`);
  db.close();
  const [good, small, large] = await Promise.allSettled([store.runs.loadState('good'), store.runs.loadState('small'), store.runs.loadState('large')]);
  assert.equal(good.status === 'fulfilled' && good.value?.currentStepIndex, 1);
  assert.equal((small as PromiseRejectedResult).reason.code, 'FLOWSTORE_CORRUPT');
  assert.equal((large as PromiseRejectedResult).reason.code, 'FLOWSTORE_CORRUPT');
});

for (const backend of BACKENDS) {
  test(`${backend.name}: large answers settle value by value, timers running in between, and read as small ones do`, async (t) => {
    // Uncompressed: a large bytea comes from pg as a Buffer of its own, which must still read as a Uint8Array.
    const store = await tempStore(t, { path: backend.path, readers: 1, compression: false });
    const rows = (i: number) => Array.from({ length: 4000 }, (_, r) => ({ id: r, run: i, name: `row ${r}`, at: new Date(r * 1000), tags: ['a', 'b'] }));
    const blob = new Uint8Array(20_000).map((_, i) => i % 251);
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.runs.saveState(`large_${i}`, { ...state(i), pipelineContext: { rows: rows(i) } })));
    await store.runs.saveState('small', state(99));
    await store.dag.saveExecutionState('d', 'active', blob);
    // One turn: the reads travel in two batches, [large 0-6] and [large 7-11, small, bytes],
    // each with its values serialized one by one, the small ones too.
    let timerRan = false;
    let timerBeforeFifth = false;
    const loads = Array.from({ length: 12 }, (_, i) => store.runs.loadState(`large_${i}`));
    const [small, bytes] = [store.runs.loadState('small'), store.dag.loadExecutionState('d', 'active')];
    void loads[0]!.then(() => setTimeout(() => { timerRan = true; }, 0));
    void loads[4]!.then(() => { timerBeforeFifth = timerRan; });
    const large = await Promise.all(loads);
    assert.equal(timerBeforeFifth, true, 'a timer set when the first value settled ran before the fifth of its batch settled');
    assert.deepEqual(large.map((s) => s?.pipelineContext), Array.from({ length: 12 }, (_, i) => ({ rows: rows(i) })));
    assert.equal((await small)?.currentStepIndex, 99);
    assert.equal(Object.getPrototypeOf(await bytes), Uint8Array.prototype);
    assert.deepEqual(await bytes, blob);
  });
}

/** `count` pending reads on `backlog` that log their names to `settled` as they settle. */
function pendingReads(backlog: Backlog, settled: string[], name: string, count: number): Pending[] {
  return Array.from({ length: count }, (_, i) => {
    backlog.tryEnter();
    return new Pending({ name: 'runs.loadState' } as Op, null, backlog, () => settled.push(`${name}${i}`), () => settled.push(`${name}${i} failed`));
  });
}

const rowsValue = (rows: number) => ({ rows: Array.from({ length: rows }, (_, r) => ({ id: r, name: `row ${r}`, tags: ['a', 'b'] })) });

/** A serialized value that takes longer than a slice to read here (asserted). */
function valueLongerThanASlice(): Uint8Array {
  const bytes = serializeValue(rowsValue(40_000));
  const started = performance.now();
  deserialize(bytes);
  assert.ok(performance.now() - started > SETTLE_SLICE_MS, 'one value takes longer than a slice to read');
  return bytes;
}

test('two large answers that arrive in one turn share the slice: a timer runs after one value, not after a slice of each', async () => {
  const bytes = valueLongerThanASlice();
  const backlog = new Backlog('reads', 100);
  const settled: string[] = [];
  const outcome = () => ({ values: [bytes, bytes, bytes], serialized: true as const });
  let atTimer: string[] | undefined;
  setTimeout(() => { atTimer = [...settled]; }, 0);
  await Promise.all([settle(pendingReads(backlog, settled, 'a', 3), outcome()), settle(pendingReads(backlog, settled, 'b', 3), outcome())]);
  assert.deepEqual(atTimer, ['a0'], 'the timer ran once the first value was read');
  assert.deepEqual(settled, ['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
  assert.equal(backlog.depth, 0);
});

test('a large answer that arrives just after another one settled, before any timer ran, waits for the timer: the slice is the thread\'s', async () => {
  const bytes = valueLongerThanASlice();
  const backlog = new Backlog('reads', 100);
  const settled: string[] = [];
  let atTimer: string[] | undefined;
  setTimeout(() => { atTimer = [...settled]; }, 0);
  // The second answer comes in the same turn, the moment the first has settled.
  await settle(pendingReads(backlog, settled, 'a', 1), { values: [bytes], serialized: true })!
    .then(() => settle(pendingReads(backlog, settled, 'b', 1), { values: [bytes], serialized: true }));
  assert.deepEqual(atTimer, ['a0'], 'the timer ran between the two answers');
  assert.deepEqual(settled, ['a0', 'b0']);
  assert.equal(backlog.depth, 0);
});

test('a value that would take the slice past its end waits for the next slice, even when the slice is not spent yet', async () => {
  // About a millisecond to read the first value: less than a slice, and the second,
  // three times its size, is expected to take the slice past its end.
  let rows = 2000;
  for (let tries = 0; tries < 10; tries++) {
    const bytes = serializeValue(rowsValue(rows));
    const started = performance.now();
    deserialize(bytes);
    const ms = performance.now() - started;
    if (ms > SETTLE_SLICE_MS / 2) break;
    rows = Math.ceil(rows * Math.min(4, (SETTLE_SLICE_MS / 2) / Math.max(ms, 0.05)));
  }
  const small = serializeValue(rowsValue(rows));
  const large = serializeValue(rowsValue(rows * 3));
  const backlog = new Backlog('reads', 100);
  const settled: string[] = [];
  let atTimer: string[] | undefined;
  setTimeout(() => { atTimer = [...settled]; }, 0);
  await settle(pendingReads(backlog, settled, 'a', 2), { values: [small, large], serialized: true });
  assert.deepEqual(atTimer, ['a0'], 'the timer ran before the larger value was read');
  assert.deepEqual(settled, ['a0', 'a1']);
});

test('a read task serializes each value as it comes once its values have decoded a lot of JSON, so that none lives on decoded', () => {
  const before = { big: 'x'.repeat(100) };
  const after = { big: 'y'.repeat(100) };
  const outcome = OutcomeBuilder.forReadTask(3);
  outcome.value(0, before);
  fromJsonText(toJsonText({ text: 'z'.repeat(LARGE_RESULT_CHARS) }));
  outcome.value(1, after);
  // Changed after each was handed over: what goes back is what the task returned.
  before.big = 'changed';
  after.big = 'changed';
  outcome.add(2, { ok: false, error: { code: 'FLOWSTORE_NOT_FOUND', message: 'gone', details: {} } });
  const { values, errors, serialized } = outcome.build();
  assert.equal(serialized, true);
  assert.deepEqual(values!.slice(0, 2).map((bytes) => deserialize(bytes as Uint8Array)), [{ big: 'x'.repeat(100) }, { big: 'y'.repeat(100) }]);
  assert.equal(errors![2]!.code, 'FLOWSTORE_NOT_FOUND');
  const small = OutcomeBuilder.forReadTask(1);
  small.value(0, before);
  assert.deepEqual(small.build(), { values: [before], errors: undefined }, 'a task that decoded little sends its values as they are');
});
