/**
 * store.queue.work() and schedules, the same on a file, :memory: and PostgreSQL: a worker
 * runs each job once with a lease renewed while it runs, retries what throws, aborts a
 * handler whose lease is lost, wakes at once for a job enqueued in the process (in a
 * transaction, once it commits) and for a delayed job when it comes due, honours the
 * queue's limit, and stops gracefully; a schedule enqueues its ticks.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import pino from 'pino';
import { openStore, type ClaimedJob, type Store } from '../src/index.ts';
import type { Invoker } from '../src/engine/op.ts';
import { Wakeups } from '../src/domains/queue/wakeups.ts';
import { MAX_AHEAD, QueueWorker, workOptionsSchema, type JobHandler, type WorkOptions } from '../src/domains/queue/worker.ts';
import { BACKENDS, cleanup, tempLocation, tempStore, waitFor } from './helpers.ts';

/**
 * The store's writes, once every write sent before this call has been written: the writer
 * writes in order, so a write sent after them (a cancel of no job, counted here too) comes
 * back after them. Reads go by on other threads, however long they take: counting after
 * ten of them once missed a worker's first claims on a loaded machine. `reads` reads go by
 * first, to give a worker that would claim without end the time to.
 */
async function writesSettled(store: Store, reads = 0): Promise<number> {
  for (let i = 0; i < reads; i++) await store.queue.stats();
  // A worker sends its second claim a turn after its first.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(await store.queue.cancel(Number.MAX_SAFE_INTEGER), false);
  return (await store.metrics()).writes;
}

/**
 * A worker whose operations the test answers by hand, one at a time and in the order it
 * chooses: `take(name)` waits for the next one of that name. `log` has every operation it
 * sent, answered or not. The cleanup stops it, answering what it sends then with nothing.
 */
function scriptedWorker(t: TestContext, options: WorkOptions, handler: JobHandler = () => undefined) {
  const pending: { name: string; input: unknown; resolve: (value: unknown) => void }[] = [];
  const log: { name: string; input: unknown }[] = [];
  const invoker = {
    invoke: (op: { name: string }, input: unknown) => new Promise<unknown>((resolve) => {
      pending.push({ name: op.name, input, resolve });
      log.push({ name: op.name, input });
    }),
  } as unknown as Invoker;
  /** The first operation of that name not answered yet, taken; undefined when there is none. */
  const next = (name: string) => {
    const at = pending.findIndex((call) => call.name === `queue.${name}`);
    return at === -1 ? undefined : pending.splice(at, 1)[0];
  };
  const take = (name: string) => waitFor(() => next(name), `the worker's ${name}`, 5_000);
  const wakeups = new Wakeups();
  const worker = new QueueWorker('q', handler, workOptionsSchema.parse(options), { invoker, wakeups, logger: pino({ level: 'silent' }), onStop: () => {} });
  cleanup(t, async () => {
    const stopped = worker.stop({ timeoutMs: 0 }).then(() => true);
    while (!(await Promise.race([stopped, new Promise<false>((resolve) => setTimeout(resolve, 5, false))]))) {
      for (const call of pending.splice(0)) call.resolve(call.name === 'queue.peek' ? null : []);
    }
  });
  return { next, take, log, wakeups };
}

let lastJobId = 0;
/** A claimed job, as a claim's answer holds it. */
const job = (id = ++lastJobId) => ({ id, attempt: 1, payload: null, leaseUntil: new Date(Date.now() + 30_000) }) as ClaimedJob;

test('a poll answered after a later one was sent does not set the wait: a job due sooner starts when due', async (t) => {
  // To reach an order a loaded machine reaches by chance (it failed so in CI once).
  const started: number[] = [];
  const { take, wakeups } = scriptedWorker(t, { concurrency: 8, pollIntervalMs: 3_600_000 }, (claimed) => { started.push(claimed.id); });
  // A new worker claims twice (as behind a backlog), a turn apart, and asks after each when a
  // job comes due: none.
  (await take('claim')).resolve([]);
  (await take('peek')).resolve(null);
  (await take('claim')).resolve([]);
  (await take('peek')).resolve(null);
  // A job is enqueued in this process: one claim takes it, and a poll asks while it runs.
  wakeups.notify('q');
  const first = job();
  (await take('claim')).resolve([first]);
  const early = await take('peek');
  (await take('completeMany')).resolve([0]);
  // The claim sent as the job ended finds nothing, and a second poll goes out.
  (await take('claim')).resolve([]);
  const later = await take('peek');
  // Only now does the first poll answer, with what it read then (job 1's lease); then the second, with a job due in 50 ms.
  early.resolve(Date.now() + 30_000);
  later.resolve(Date.now() + 50);
  // Its timer's poll: the job is due (a minute ago, so whenever this poll set out).
  (await take('peek')).resolve(Date.now() - 60_000);
  const due = job();
  (await take('claim')).resolve([due]);
  await waitFor(() => started.includes(due.id), 'the job due soon to start');
  assert.ok(started.includes(first.id));
});

/** Answers the worker's claims full, each with as many jobs as it asks, until `until` holds of the limits so far; the limits. */
async function claimFull(next: ReturnType<typeof scriptedWorker>['next'], until: (limits: readonly number[]) => boolean): Promise<number[]> {
  const limits: number[] = [];
  for (;;) {
    // Checked before a claim is taken: one taken and left unanswered would keep stop() waiting for it.
    assert.ok(until(limits) || limits.length < 40, `claims so far: ${limits.join(', ')}`);
    const claim = await waitFor(() => (until(limits) ? 'done' : next('claim')), `the worker's claim (so far: ${limits.join(', ')})`, 5_000);
    if (claim === 'done') return limits;
    const { limit } = claim.input as { limit: number };
    limits.push(limit);
    claim.resolve(Array.from({ length: limit }, () => job()));
  }
}

test('a worker whose jobs run out before its next claim comes back claims more at a time, up to MAX_AHEAD / 2', async (t) => {
  const { next } = scriptedWorker(t, { concurrency: 8, pollIntervalMs: 3_600_000 });
  const limits = await claimFull(next, (so) => so.includes(MAX_AHEAD / 2) && so.length >= 12);
  // 8 ahead at first, doubled as full claims came back to idle slots, up to 1,024, claimed
  // half at a time (or what room is left, when less).
  assert.equal(limits[0], 8);
  assert.equal(Math.max(...limits), MAX_AHEAD / 2, `limits: ${limits.join(', ')}`);
});

test('once its jobs stop moving, it holds concurrency ahead again and hands the rest back at once', async (t) => {
  let long = false;
  const { next, log } = scriptedWorker(t, { concurrency: 8, pollIntervalMs: 3_600_000 }, () => (long ? new Promise(() => {}) : undefined));
  const grown = await claimFull(next, (so) => so.includes(MAX_AHEAD / 2));
  long = true;
  // Claims go on coming back full until one comes back with none of the held jobs started while it was out.
  const after = await claimFull(next, () => log.some((op) => op.name === 'queue.releaseMany'));
  const count = (name: string, per: number) => log.filter((op) => op.name === `queue.${name}`).reduce((n, op) => n + ((op.input as unknown[]).length - 1) / per, 0);
  const claimed = [...grown, ...after].reduce((sum, limit) => sum + limit, 0);
  const held = claimed - count('completeMany', 3) - count('releaseMany', 2);
  assert.equal(held, 16, 'eight running and eight held ahead');
});

test('a worker given prefetch holds that many ahead, however its jobs go', async (t) => {
  const { next } = scriptedWorker(t, { concurrency: 8, prefetch: 8, pollIntervalMs: 3_600_000 });
  const limits = await claimFull(next, (so) => so.length === 12);
  assert.deepEqual([...new Set(limits)], [8]);
});

test('a worker given an odd prefetch above its concurrency claims whole numbers of jobs', async (t) => {
  const { next } = scriptedWorker(t, { concurrency: 1, prefetch: 5, pollIntervalMs: 3_600_000 });
  const limits = await claimFull(next, (so) => so.length === 6);
  assert.ok(limits.every((limit) => Number.isInteger(limit) && limit >= 1), `limits: ${limits.join(', ')}`);
  assert.equal(limits[0], 3, 'half of the five held ahead, rounded up');
});

for (const backend of BACKENDS) {
  describe(`store.queue.work on ${backend.name}`, () => {
    test('runs every job once and completes it with what the handler returned', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.queue.enqueueMany('q', Array.from({ length: 200 }, (_, i) => ({ payload: i })));
      const seen: number[] = [];
      const worker = store.queue.work<number, number>('q', (job) => {
        seen.push(job.payload);
        return job.payload * 2;
      }, { concurrency: 8 });
      cleanup(t, () => worker.stop());
      await waitFor(async () => (await store.queue.stats())[0]?.completed === 200, 'every job completed');
      assert.deepEqual(seen.toSorted((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i));
      const [job] = await store.queue.list({ queue: 'q', limit: 1 });
      assert.equal(job!.result, (job!.payload as number) * 2);
    });

    test('a handler that throws fails the attempt; the job runs again after its backoff, then completes', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const { id } = await store.queue.enqueue('q', 'flaky', { maxAttempts: 3, backoff: { baseMs: 20, maxMs: 20 } });
      const attempts: number[] = [];
      const worker = store.queue.work('q', (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error(`attempt ${job.attempt} failed`);
        return 'finally';
      }, { pollIntervalMs: 10 });
      cleanup(t, () => worker.stop());
      const done = await waitFor(async () => {
        const job = await store.queue.get(id);
        return job?.state === 'completed' ? job : undefined;
      }, 'the third attempt to complete');
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.equal(done.result, 'finally');
      assert.deepEqual(done.attempts.map((a) => a.error?.message ?? null), ['attempt 1 failed', 'attempt 2 failed', null]);
    });

    test('a job enqueued in this process starts at once, not at the next poll; a delayed one when it comes due', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const started: number[] = [];
      // A poll an hour away: only a wake-up can start these jobs in time.
      const worker = store.queue.work('q', () => { started.push(Date.now()); }, { pollIntervalMs: 3_600_000 });
      cleanup(t, () => worker.stop());
      await waitFor(() => true, 'the worker to settle');
      await store.queue.enqueue('q', 'now');
      await waitFor(() => started.length === 1, 'the enqueued job to start');
      const due = Date.now() + 300;
      await store.queue.enqueue('q', 'delayed', { runAt: new Date(due) });
      await waitFor(() => started.length === 2, 'the delayed job to start when due');
      assert.ok(started[1]! >= due);
      await store.transaction((tx) => tx.queue.enqueue('q', 'outbox'));
      await waitFor(() => started.length === 3, 'the job enqueued in a transaction to start once it committed');
    });

    test('an idle worker claims nothing more once a wake-up that came while its claims were out is served', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      // No poll for an hour: every write from here on is a claim or a completion.
      const worker = store.queue.work('q', () => 'done', { concurrency: 1, pollIntervalMs: 3_600_000 });
      cleanup(t, () => worker.stop());
      // Enqueued while the worker's first claims are on their way: each wakes it then, and a
      // claim sent after the wake covers it.
      for (let i = 0; i < 5; i++) await store.queue.enqueue('q', i);
      await waitFor(async () => (await store.queue.stats())[0]?.completed === 5, 'every job completed');
      const settled = await writesSettled(store);
      assert.equal(await writesSettled(store, 20), settled + 1, 'no claim while there is nothing to claim and no poll is due: one write, the count\'s own');
    });

    test('an idle worker woken for a job sends one claim for it, not two', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const worker = store.queue.work('q', () => 'done', { concurrency: 8, pollIntervalMs: 3_600_000 });
      cleanup(t, () => worker.stop());
      const idle = await writesSettled(store);
      await store.queue.enqueue('q', 1);
      await waitFor(async () => (await store.queue.stats())[0]?.completed === 1, 'the job completed');
      // It wrote 5 before (a second claim a turn after the first), 6 on PostgreSQL (the store's own NOTIFY came back).
      assert.equal(await writesSettled(store) - idle, 5, 'the enqueue, one claim, the completion, one claim as the job ended, and the count\'s own');
    });

    test('a lease that is lost aborts the handler\'s signal, and its outcome is not recorded', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const { id } = await store.queue.enqueue('q', 'long');
      let signal: AbortSignal | undefined;
      let release!: () => void;
      const holding = new Promise<void>((resolve) => { release = resolve; });
      const lost: ClaimedJob[] = [];
      const worker = store.queue.work('q', async (_job, context) => {
        signal = context.signal;
        await holding;
        return 'too late';
      }, { leaseMs: 1_000 });
      worker.on('lost', (job: ClaimedJob) => lost.push(job));
      cleanup(t, () => worker.stop());
      await waitFor(() => signal, 'the handler to start');
      // Renewals keep it while it runs, past two lease lengths: the same attempt holds it.
      const { startedAt } = (await store.queue.get(id))!;
      await waitFor(() => Date.now() > startedAt!.getTime() + 2_500, 'two lease lengths to pass', 10_000, 50);
      const held = await store.queue.get(id);
      assert.deepEqual([held!.state, held!.attempt], ['running', 1]);
      assert.ok(held!.leaseUntil!.getTime() > startedAt!.getTime() + 1_000, 'renewed past its first length');
      assert.equal(signal!.aborted, false);
      assert.equal(await store.queue.cancel(id), true);
      await waitFor(() => signal!.aborted, 'the signal to abort');
      assert.equal((signal!.reason as { code: string }).code, 'FLOWSTORE_LEASE_LOST');
      release();
      await waitFor(() => lost.length === 1, 'the worker to report the lost job');
      const job = await store.queue.get(id);
      assert.equal(job!.state, 'cancelled');
      assert.equal(job!.result, undefined);
    });

    test('a completion that comes after the lease ended is refused: the job is lost, not completed', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const { id } = await store.queue.enqueue('q', 'x', { maxAttempts: 1 });
      const lost: ClaimedJob[] = [];
      const completed: ClaimedJob[] = [];
      const worker = store.queue.work('q', () => {
        // Holds this thread past the lease: no renewal can run, and the lease ends in the store.
        const until = Date.now() + 600;
        while (Date.now() < until);
        return 'too late';
      }, { leaseMs: 200 });
      worker.on('lost', (job: ClaimedJob) => lost.push(job));
      worker.on('completed', (job: ClaimedJob) => completed.push(job));
      cleanup(t, () => worker.stop());
      await waitFor(() => lost.length === 1, 'the refused completion to be reported');
      assert.deepEqual(completed, []);
      assert.notEqual((await store.queue.get(id))!.state, 'completed');
    });

    test('the queue\'s limit holds across workers', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.queue.setConcurrency('q', 3);
      await store.queue.enqueueMany('q', Array.from({ length: 30 }, (_, i) => ({ payload: i })));
      let running = 0;
      let most = 0;
      const handler = async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
      };
      const workers = [store.queue.work('q', handler, { concurrency: 5, pollIntervalMs: 5 }), store.queue.work('q', handler, { concurrency: 5, pollIntervalMs: 5 })];
      cleanup(t, () => Promise.all(workers.map((w) => w.stop())));
      await waitFor(async () => (await store.queue.stats())[0]?.completed === 30, 'every job completed');
      assert.ok(most <= 3, `at most 3 ran at once, saw ${most}`);
      assert.ok(most >= 2, 'jobs did run side by side');
    });

    test('stop() lets running jobs finish; past its timeout it aborts them and hands them back', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.queue.enqueueMany('q', [{ payload: 'quick' }, { payload: 'stuck' }]);
      const finished: string[] = [];
      let aborted = 0;
      const worker = store.queue.work<string>('q', async (job, { signal }) => {
        if (job.payload === 'stuck') {
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => { aborted++; resolve(); }));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished.push(job.payload);
      }, { concurrency: 2 });
      await waitFor(() => worker.running === 2, 'both jobs to run');
      await worker.stop({ timeoutMs: 1_500 });
      assert.deepEqual(finished, ['quick']);
      assert.equal(aborted, 1);
      assert.equal(worker.running, 0);
      const [stuck] = await store.queue.list({ state: 'waiting' });
      assert.equal(stuck!.payload, 'stuck');
      assert.equal(stuck!.attempts[0]!.error!.code, 'FLOWSTORE_CLOSED');
      await worker.stop();
    });

    test('jobs claimed ahead and never started go back at stop(), their attempt not counted', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const [first, second] = await store.queue.enqueueMany('q', [{ payload: 'first', maxAttempts: 1 }, { payload: 'ahead', maxAttempts: 1 }]);
      let release!: () => void;
      const holding = new Promise<void>((resolve) => { release = resolve; });
      const worker = store.queue.work('q', () => holding, { concurrency: 1, prefetch: 1 });
      // The second job is held ahead, on its lease, while the first runs.
      await waitFor(async () => (await store.queue.get(second!.id))!.state === 'running', 'the second job to be claimed ahead');
      const stopped = worker.stop();
      release();
      await stopped;
      assert.equal((await store.queue.get(first!.id))!.state, 'completed');
      const back = await store.queue.get(second!.id);
      assert.equal(back!.state, 'waiting');
      assert.deepEqual(back!.attempts, []);
      // Its one attempt is still to come.
      const [again] = await store.queue.claim('q', { workerId: 'after' });
      assert.equal(again!.id, second!.id);
      assert.equal((await store.queue.fail(again!, 'its only attempt', { retry: true })).state, 'failed');
    });

    test('closing the store stops its workers first: a running job completes, its handler still writes, and outside calls are refused', async (t) => {
      const where = await tempLocation(t, backend.path);
      const store = await openStore({ readers: 1, ...where });
      const { id } = await store.queue.enqueue('q', 'x');
      let started = false;
      let release!: () => void;
      const released = new Promise<void>((resolve) => { release = resolve; });
      store.queue.work('q', async () => {
        started = true;
        await released;
        await store.runs.saveState('from_handler', { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: 1, pipelineContext: {}, lastStepOutput: null, status: 'running' });
        return 'done';
      });
      await waitFor(() => started, 'the job to start');
      const closing = store.close();
      await assert.rejects(store.runs.loadState('from_handler'), { code: 'FLOWSTORE_CLOSED' });
      await assert.rejects(store.transaction(async () => {}), { code: 'FLOWSTORE_CLOSED' });
      release();
      await closing;
      // A :memory: store ends with its close; a file or a schema keeps the completion.
      if (backend.path === ':memory:') return;
      const reopened = await openStore({ readers: 1, ...where });
      cleanup(t, () => reopened.close());
      assert.equal((await reopened.queue.get(id))!.state, 'completed');
      assert.equal((await reopened.runs.loadState('from_handler'))?.currentStepIndex, 1);
    });

    test('a schedule enqueues its ticks into the queue of its name while a worker runs', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.queue.schedule('every-second', '* * * * * *', { report: true }, { maxAttempts: 1 });
      const [schedule] = await store.queue.schedules();
      assert.equal(schedule!.name, 'every-second');
      assert.equal(schedule!.lastTick, null, 'no tick before the first');
      assert.ok(schedule!.nextTick!.getTime() - Date.now() <= 1_000);
      const ticks: ClaimedJob[] = [];
      const worker = store.queue.work('every-second', (job) => { ticks.push(job); });
      cleanup(t, () => worker.stop());
      await waitFor(() => ticks.length >= 2, 'two ticks', 10_000);
      assert.deepEqual(ticks[0]!.payload, { report: true });
      assert.equal(ticks[0]!.maxAttempts, 1);
      // Each tick's job is due at its tick: whole seconds, one apart.
      assert.equal(ticks[0]!.runAt.getMilliseconds(), 0);
      assert.ok(ticks[1]!.runAt > ticks[0]!.runAt);
      // None from before the schedule was made.
      assert.ok(ticks[0]!.runAt > schedule!.createdAt);
      assert.ok((await store.queue.schedules())[0]!.lastTick! >= ticks[1]!.runAt);
      assert.equal(await store.queue.unschedule('every-second'), true);
      assert.deepEqual(await store.queue.schedules(), []);
    });

    test('work() is refused inside a transaction', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.transaction((tx) => {
        assert.throws(() => tx.queue.work('q', () => {}), { code: 'FLOWSTORE_CONFLICT' });
      });
    });
  });
}
