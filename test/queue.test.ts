/**
 * store.queue's contract, the same on a file, :memory: and PostgreSQL: enqueue, keys,
 * priorities and order, delays, claims and leases, the attempt as fencing token, retries
 * with backoff, dead letters, cancel and retry, per-queue concurrency, the outbox in a
 * transaction, and the refusal of bad input with nothing enqueued.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '../src/index.ts';
import { DEFAULT_MAX_ATTEMPTS } from '../src/domains/queue/defaults.ts';
import { BACKENDS, tempStore, waitFor } from './helpers.ts';

const worker = { workerId: 'test-worker' };

/** Claims until `count` jobs came (a delayed job comes due on the store's clock, not the test's). */
async function claimSoon(store: Store, queue: string, count = 1, leaseMs = 30_000) {
  const jobs: Awaited<ReturnType<Store['queue']['claim']>> = [];
  await waitFor(async () => {
    jobs.push(...(await store.queue.claim(queue, { ...worker, limit: count - jobs.length, leaseMs })));
    return jobs.length >= count;
  }, `${count} job(s) of ${queue} to be claimable`);
  return jobs;
}

for (const backend of BACKENDS) {
  describe(`store.queue on ${backend.name}`, () => {
    test('enqueue, claim, complete: the job carries its payload, attempt 1 and a lease; completed keeps the result', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const { id, created } = await store.queue.enqueue('emails', { to: 'a@example.com', at: new Date(0), n: 10n });
      assert.equal(created, true);
      const before = Date.now();
      const [job] = await store.queue.claim('emails', { ...worker, limit: 5, leaseMs: 60_000 });
      assert.equal(job!.id, id);
      assert.deepEqual(job!.payload, { to: 'a@example.com', at: new Date(0), n: 10n });
      assert.equal(job!.attempt, 1);
      assert.equal(job!.workerId, 'test-worker');
      assert.ok(job!.leaseUntil.getTime() >= before + 60_000);
      assert.deepEqual(await store.queue.claim('emails', { ...worker, limit: 5 }), [], 'a running job is not claimed again');
      await store.queue.complete(job!, { sent: true });
      const done = await store.queue.get(id);
      assert.equal(done!.state, 'completed');
      assert.deepEqual(done!.result, { sent: true });
      assert.equal(done!.attempts.length, 1);
      assert.equal(done!.attempts[0]!.workerId, 'test-worker');
      assert.equal(done!.attempts[0]!.error, null);
      assert.ok(done!.finishedAt!.getTime() >= done!.startedAt!.getTime());
    });

    test('higher priority first; first in, first out within a priority; queues apart', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.queue.enqueueMany('q', [
        { payload: 'low-1', priority: -1 }, { payload: 'mid-1' }, { payload: 'high-1', priority: 10 }, { payload: 'mid-2' }, { payload: 'high-2', priority: 10 },
      ]);
      await store.queue.enqueue('other', 'elsewhere');
      const order: unknown[] = [];
      for (let i = 0; i < 5; i++) order.push(...(await store.queue.claim('q', worker)).map((j) => j.payload));
      assert.deepEqual(order, ['high-1', 'high-2', 'mid-1', 'mid-2', 'low-1']);
      const all = await store.queue.claim('q', { ...worker, limit: 10 });
      assert.deepEqual(all, []);
    });

    test('enqueueMany keeps every job as given, payloads alone or with options, a large (compressed) payload among them', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const large = { text: 'x'.repeat(100_000), n: [1, 2, 3] };
      const batches: { payload: unknown; priority?: number; maxAttempts?: number }[][] = [
        [{ payload: 'a' }, { payload: large }, { payload: { b: [1, null] } }],
        [{ payload: 'c' }, { payload: large, priority: 3 }, { payload: 'd', maxAttempts: 7 }],
      ];
      for (const batch of batches) {
        const enqueued = await store.queue.enqueueMany('many', batch);
        assert.equal(enqueued.length, batch.length);
        for (const [i, { id, created }] of enqueued.entries()) {
          assert.equal(created, true);
          const job = await store.queue.get(id);
          assert.deepEqual(job!.payload, batch[i]!.payload);
          assert.equal(job!.state, 'waiting');
          assert.equal(job!.priority, batch[i]!.priority ?? 0);
          assert.equal(job!.maxAttempts, batch[i]!.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
        }
      }
    });

    test('enqueueMany of objects and arrays (one JSON array on the way) keeps each payload as written, in order', async (t) => {
      // A threshold of 200 characters: the batch below holds a payload the writer must compress apart.
      const store = await tempStore(t, { path: backend.path, compression: { thresholdBytes: 200 } });
      const tricky = [
        { b: 1, a: 2, '10': 'x', '2': 'y' }, [], {}, [[[]]], { text: 'é "quoted" \\ \n\t\u2028 😀 \ud800' },
        { numbers: [0.1 + 0.2, 1e21, -2e-7, 5e-324, 2 ** 53 + 2, -0, Number.NaN] }, { at: new Date(5), big: 12n, none: undefined },
        { $t: 'not a tag' }, { n: [1, { m: null }, true, false] },
      ];
      let deep: unknown = { leaf: 1 };
      for (let i = 0; i < 1_200; i++) deep = [deep];
      const batches: unknown[][] = [
        tricky,
        Array.from({ length: 300 }, (_, n) => (n % 2 === 0 ? { n } : [n])),
        [{ small: 1 }, { wide: 'w'.repeat(300) }, { small: 2 }],
        [{ n: 1 }, deep, { n: 2 }],
      ];
      for (const batch of batches) {
        const enqueued = await store.queue.enqueueMany('objects', batch.map((payload) => ({ payload })));
        assert.deepEqual(enqueued.map((job) => job.created), batch.map(() => true));
        const ids = enqueued.map((job) => job.id);
        assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'ids rise in the order given');
        const claimed = await store.queue.claim('objects', { ...worker, limit: batch.length });
        assert.deepEqual(claimed.map((job) => job.id), ids, 'claimed first in, first out');
        for (const [i, job] of claimed.entries()) {
          // Node 22's deepEqual runs out of stack 1,200 levels down: that one is compared as text alone.
          if (batch[i] !== deep) assert.deepEqual(job.payload, batch[i]);
          // deepEqual ignores the order of keys; the text does not.
          assert.equal(JSON.stringify(job.payload, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
            JSON.stringify(batch[i], (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
          await store.queue.complete(job);
        }
      }
    });

    test('a claim sent in the turn of an enqueue (one commit, on PostgreSQL one round trip) takes the job', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const [plain, claimed] = await Promise.all([store.queue.enqueue('q', 'plain'), store.queue.claim('q', { ...worker, limit: 5 })]);
      assert.deepEqual(claimed.map((job) => job.id), [plain.id]);
      const [keyed, again, many, next] = await Promise.all([
        store.queue.enqueue('q', 'keyed', { key: 'k' }), store.queue.enqueue('q', 'same key', { key: 'k' }),
        store.queue.enqueueMany('q', [{ payload: { n: 1 } }, { payload: { n: 2 } }]), store.queue.claim('q', { ...worker, limit: 5 }),
      ]);
      assert.deepEqual(again, { id: keyed.id, created: false });
      assert.deepEqual(next.map((job) => job.id), [keyed.id, ...many.map((job) => job.id)]);
    });

    test('a key returns the job that waits or runs with it; once it ended, the key makes a new job', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const first = await store.queue.enqueue('emails', 'first', { key: 'welcome:42' });
      const again = await store.queue.enqueue('emails', 'second', { key: 'welcome:42' });
      assert.deepEqual(again, { id: first.id, created: false });
      const elsewhere = await store.queue.enqueue('sms', 'x', { key: 'welcome:42' });
      assert.equal(elsewhere.created, true, 'keys are per queue');
      const [job] = await store.queue.claim('emails', worker);
      assert.deepEqual(await store.queue.enqueue('emails', 'third', { key: 'welcome:42' }), { id: first.id, created: false }, 'running counts');
      await store.queue.complete(job!);
      const next = await store.queue.enqueue('emails', 'fourth', { key: 'welcome:42' });
      assert.equal(next.created, true);
      assert.notEqual(next.id, first.id);
      const many = await store.queue.enqueueMany('emails', [{ payload: 1, key: 'k' }, { payload: 2, key: 'k' }]);
      assert.equal(many[1]!.id, many[0]!.id);
      assert.deepEqual(many.map((m) => m.created), [true, false]);
      // Keyed and unkeyed jobs in one call come back in the order given.
      const mixed = await store.queue.enqueueMany('emails', [{ payload: 'x' }, { payload: 'dup', key: 'k' }, { payload: 'y' }, { payload: 'z', key: 'new' }]);
      assert.deepEqual(mixed.map((m) => m.created), [true, false, true, true]);
      assert.equal(mixed[1]!.id, many[0]!.id);
      for (const [i, payload] of [[0, 'x'], [2, 'y'], [3, 'z']] as const) assert.equal((await store.queue.get(mixed[i]!.id))!.payload, payload);
    });

    test('a delayed job is not claimed before it is due, and is once it is', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const later = await store.queue.enqueue('q', 'tomorrow', { runAt: new Date(Date.now() + 86_400_000) });
      const soon = await store.queue.enqueue('q', 'soon', { delayMs: 300 });
      // Found only once it is due, whenever this machine gets to ask.
      const job = (await store.queue.claim('q', { ...worker, limit: 10 }))[0] ?? (await claimSoon(store, 'q'))[0];
      assert.equal(job!.id, soon.id);
      assert.ok(job!.startedAt.getTime() >= job!.runAt.getTime(), 'claimed at or after its due time');
      assert.equal((await store.queue.get(later.id))!.state, 'waiting');
      const [stats] = await store.queue.stats();
      assert.equal(stats!.delayed, 1);
      assert.equal(stats!.running, 1);
    });

    test('claimWithNext says when the next job comes due once a claim took fewer than asked', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      assert.deepEqual(await store.queue.claimWithNext('q', { ...worker, limit: 2 }), { jobs: [], nextAt: null });
      const runAt = new Date(Date.now() + 86_400_000);
      await store.queue.enqueue('q', 'tomorrow', { runAt });
      const now = await store.queue.enqueue('q', 'now');
      const first = await store.queue.claimWithNext('q', { ...worker, limit: 1 });
      assert.deepEqual([first.jobs.map((job) => job.id), first.nextAt], [[now.id], null], 'took as many as asked: not asked');
      const [running] = first.jobs;
      const second = await store.queue.claimWithNext('q', { ...worker, limit: 2, leaseMs: 60_000 });
      assert.deepEqual(second.jobs, []);
      // The running job's lease ends before tomorrow's job is due: that comes first.
      assert.equal(second.nextAt, running!.leaseUntil.getTime());
      await store.queue.complete(running!);
      assert.equal((await store.queue.claimWithNext('q', { ...worker, limit: 2 })).nextAt, runAt.getTime());
    });

    test('fail retries after the backoff, until the last attempt: then the job is failed, every attempt kept', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const { id } = await store.queue.enqueue('q', 'flaky', { maxAttempts: 2, backoff: { baseMs: 1_000, maxMs: 1_000 } });
      const [first] = await store.queue.claim('q', worker);
      const failedAt = Date.now();
      const retried = await store.queue.fail(first!, new TypeError('boom'));
      assert.equal(retried.state, 'waiting');
      // Between half and all of the base, with jitter.
      assert.ok(retried.dueAt!.getTime() >= failedAt + 500 && retried.dueAt!.getTime() <= Date.now() + 1_000, `due ${retried.dueAt!.getTime() - failedAt} ms later`);
      // A claim finds it only once it is due, whenever this machine gets to ask.
      const second = (await store.queue.claim('q', worker))[0] ?? (await claimSoon(store, 'q'))[0];
      assert.equal(second!.attempt, 2);
      assert.ok(second!.startedAt >= retried.dueAt!, 'not before the backoff');
      const final = await store.queue.fail(second!, Object.assign(new Error('again'), { code: 'E_AGAIN' }));
      assert.deepEqual(final, { state: 'failed', dueAt: null });
      const dead = await store.queue.get(id);
      assert.equal(dead!.state, 'failed');
      assert.equal(dead!.error!.message, 'again');
      assert.equal(dead!.error!.code, 'E_AGAIN');
      assert.deepEqual(dead!.attempts.map((a) => [a.attempt, a.error!.message, a.error!.name]), [[1, 'boom', 'TypeError'], [2, 'again', 'Error']]);
      assert.deepEqual(await store.queue.claim('q', worker), [], 'a dead letter is never claimed');
    });

    test('fail with retry: false fails at once; with delayMs waits that long', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.queue.enqueueMany('q', [{ payload: 'a' }, { payload: 'b' }]);
      const [a, b] = await store.queue.claim('q', { ...worker, limit: 2 });
      assert.deepEqual(await store.queue.fail(a!, 'fatal', { retry: false }), { state: 'failed', dueAt: null });
      const at = Date.now();
      const later = await store.queue.fail(b!, 'later', { delayMs: 3_600_000 });
      assert.ok(later.dueAt!.getTime() >= at + 3_600_000);
      assert.equal((await store.queue.get(a!.id))!.error!.message, 'fatal');
    });

    test('a lease that ends makes the job claimable again as a new attempt; the stale attempt is refused and changes nothing', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const { id } = await store.queue.enqueue('q', 'slow', { maxAttempts: 3 });
      const [stale] = await store.queue.claim('q', { ...worker, leaseMs: 150 });
      const [fresh] = await claimSoon(store, 'q');
      assert.equal(fresh!.id, id);
      assert.equal(fresh!.attempt, 2);
      await assert.rejects(store.queue.complete(stale!, 'late'), { code: 'FLOWSTORE_LEASE_LOST' });
      await assert.rejects(store.queue.fail(stale!, 'late'), { code: 'FLOWSTORE_LEASE_LOST' });
      await assert.rejects(store.queue.heartbeat(stale!, { leaseMs: 60_000 }), { code: 'FLOWSTORE_LEASE_LOST' });
      const running = await store.queue.get(id);
      assert.equal(running!.state, 'running');
      assert.equal(running!.attempt, 2);
      assert.deepEqual(running!.attempts.map((a) => [a.attempt, a.error?.code ?? null]), [[1, 'FLOWSTORE_LEASE_LOST'], [2, null]]);
      await store.queue.complete(fresh!, 'done');
      assert.equal((await store.queue.get(id))!.result, 'done');
    });

    test('in one batch, a refused completion rejects alone: the writes around it commit, and it changes nothing', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.queue.enqueueMany('q', [{ payload: 'a' }, { payload: 'b' }, { payload: 'c' }]);
      const [a, b, c] = await store.queue.claim('q', { ...worker, limit: 3 });
      // Issued in one turn, they travel in one batch; on PostgreSQL the completions go out
      // without waiting for their answers, which are awaited before COMMIT.
      const outcomes = await Promise.allSettled([
        store.queue.complete(a!, 'A'),
        store.queue.complete({ ...b!, attempt: b!.attempt + 1 }, 'never'),
        store.queue.enqueue('other', 'x'),
        store.queue.complete(c!, 'C'),
      ]);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      assert.equal((outcomes[1] as PromiseRejectedResult).reason.code, 'FLOWSTORE_LEASE_LOST');
      assert.deepEqual([(await store.queue.get(a!.id))!.result, (await store.queue.get(c!.id))!.result], ['A', 'C']);
      const refused = await store.queue.get(b!.id);
      assert.deepEqual([refused!.state, refused!.attempt, refused!.result], ['running', b!.attempt, undefined]);
      const { id } = (outcomes[2] as PromiseFulfilledResult<{ id: number }>).value;
      assert.equal((await store.queue.get(id))!.state, 'waiting');
    });

    test('heartbeat extends the lease; a lease that ended on the last attempt fails the job', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.queue.enqueue('kept', 'x');
      const [kept] = await store.queue.claim('kept', { ...worker, leaseMs: 60_000 });
      const until = await store.queue.heartbeat(kept!, { leaseMs: 120_000 });
      assert.ok(until.getTime() >= Date.now() + 110_000);
      const { id } = await store.queue.enqueue('once', 'y', { maxAttempts: 1 });
      await store.queue.claim('once', { ...worker, leaseMs: 100 });
      const dead = await waitFor(async () => {
        // A claim of the drained queue settles jobs whose lease ended on their last attempt.
        await store.queue.claim('once', worker);
        const job = await store.queue.get(id);
        return job!.state === 'failed' ? job : undefined;
      }, 'the expired job to be failed');
      assert.equal(dead.error!.code, 'FLOWSTORE_LEASE_LOST');
      assert.equal(dead.attempts.length, 1);
    });

    test('cancel: a waiting job is never claimed; a running one loses its lease; retry brings either back', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const waiting = await store.queue.enqueue('q', 'w');
      assert.equal(await store.queue.cancel(waiting.id), true);
      assert.equal(await store.queue.cancel(waiting.id), false, 'already cancelled');
      assert.deepEqual(await store.queue.claim('q', worker), []);
      const running = await store.queue.enqueue('q', 'r');
      const [job] = await store.queue.claim('q', worker);
      assert.equal(await store.queue.cancel(running.id), true);
      await assert.rejects(store.queue.heartbeat(job!), { code: 'FLOWSTORE_LEASE_LOST' });
      await assert.rejects(store.queue.complete(job!), { code: 'FLOWSTORE_LEASE_LOST' });
      const cancelled = await store.queue.get(running.id);
      assert.equal(cancelled!.state, 'cancelled');
      assert.equal(cancelled!.attempts[0]!.error!.code, 'FLOWSTORE_LEASE_LOST');
      assert.equal(await store.queue.retry(running.id), true);
      assert.equal(await store.queue.retry(running.id), false, 'it waits already');
      const [again] = await store.queue.claim('q', worker);
      assert.equal(again!.id, running.id);
      assert.equal(again!.attempt, 2);
      assert.equal(await store.queue.retry(424242), false);
      assert.equal(await store.queue.get(424242), null);
    });

    test('retry gives a dead letter maxAttempts more attempts', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const { id } = await store.queue.enqueue('q', 'x', { maxAttempts: 1 });
      const [job] = await store.queue.claim('q', worker);
      assert.equal((await store.queue.fail(job!, 'no')).state, 'failed');
      assert.equal(await store.queue.retry(id), true);
      const [again] = await store.queue.claim('q', worker);
      assert.equal((await store.queue.fail(again!, 'still no')).state, 'failed', 'one more attempt, its last');
    });

    test('setConcurrency caps the running jobs of a queue across claims; null lifts it', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.queue.enqueueMany('q', Array.from({ length: 10 }, (_, i) => ({ payload: i })));
      await store.queue.setConcurrency('q', 2);
      const first = await store.queue.claim('q', { ...worker, limit: 10 });
      assert.equal(first.length, 2);
      assert.deepEqual(await store.queue.claim('q', { workerId: 'another', limit: 10 }), []);
      await store.queue.complete(first[0]!);
      assert.equal((await store.queue.claim('q', { ...worker, limit: 10 })).length, 1);
      const [stats] = await store.queue.stats();
      assert.equal(stats!.concurrency, 2);
      await store.queue.setConcurrency('q', null);
      assert.equal((await store.queue.claim('q', { ...worker, limit: 10 })).length, 7);
    });

    test('stats count every state per queue; list pages newest first by queue and state', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const ids = (await store.queue.enqueueMany('a', Array.from({ length: 5 }, (_, i) => ({ payload: i })))).map((j) => j.id);
      await store.queue.enqueue('b', 'delayed', { delayMs: 3_600_000 });
      const [j1, j2] = await store.queue.claim('a', { ...worker, limit: 2 });
      await store.queue.complete(j1!);
      await store.queue.fail(j2!, 'x', { retry: false });
      await store.queue.cancel(ids[4]!);
      const stats = await store.queue.stats();
      assert.deepEqual(stats.map((s) => [s.queue, s.waiting, s.delayed, s.running, s.completed, s.failed, s.cancelled]), [
        ['a', 2, 0, 0, 1, 1, 1], ['b', 0, 1, 0, 0, 0, 0],
      ]);
      assert.ok(stats[0]!.oldestWaitingMs >= 0);
      const page1 = await store.queue.list({ queue: 'a', limit: 3 });
      assert.deepEqual(page1.map((j) => j.id), [ids[4], ids[3], ids[2]]);
      const page2 = await store.queue.list({ queue: 'a', limit: 3, before: page1.at(-1)!.id });
      assert.deepEqual(page2.map((j) => j.id), [ids[1], ids[0]]);
      assert.deepEqual((await store.queue.list({ state: 'failed' })).map((j) => j.id), [j2!.id]);
      assert.deepEqual((await store.queue.list({ queue: 'a', state: 'waiting' })).map((j) => j.payload), [3, 2]);
      assert.equal((await store.queue.list()).length, 6);
    });

    test('inside a transaction a job commits with the other writes, or not at all (the outbox)', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const state = { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: {}, lastStepOutput: null, status: 'running' as const };
      await assert.rejects(store.transaction(async (tx) => {
        await tx.runs.saveState('run-1', state);
        await tx.queue.enqueue('steps', { runId: 'run-1', step: 3 });
        throw new Error('rolled back');
      }), { message: 'rolled back' });
      assert.equal((await store.queue.list({ queue: 'steps' })).length, 0);
      assert.equal(await store.runs.loadState('run-1'), null);
      const { id } = await store.transaction(async (tx) => {
        await tx.runs.saveState('run-1', state);
        return tx.queue.enqueue('steps', { runId: 'run-1', step: 3 });
      });
      assert.deepEqual((await store.queue.get(id))!.payload, { runId: 'run-1', step: 3 });
      assert.ok(await store.runs.loadState('run-1'));
    });

    test('bad input is FLOWSTORE_INVALID_ARGUMENT naming the field, and nothing is enqueued', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const refused = async (call: Promise<unknown>, field: string) => {
        await assert.rejects(call, (error: { code: string; details: { field: string } }) => {
          assert.equal(error.code, 'FLOWSTORE_INVALID_ARGUMENT');
          assert.equal(error.details.field, field);
          return true;
        });
      };
      await refused(store.queue.enqueue('q', 1, { priorty: 1 } as never), 'options.priorty');
      await refused(store.queue.enqueue('q', () => 1), 'payload');
      await refused(store.queue.enqueue('q', 1, { delayMs: -5 }), 'options.delayMs');
      await refused(store.queue.enqueue('q', 1, { runAt: new Date(), delayMs: 5 }), 'options.delayMs');
      await refused(store.queue.enqueue('', 1), 'queue');
      await refused(store.queue.enqueue('q', 1, { maxAttempts: 0 }), 'options.maxAttempts');
      await refused(store.queue.enqueueMany('q', [{ payload: 1 }, { payload: Symbol('no') as unknown }]), 'jobs.1.payload');
      await refused(store.queue.enqueueMany('q', [{ payload: 1 }, { payload: 2, priority: 1.5 }]), 'jobs.1.priority');
      await refused(store.queue.claim('q', { ...worker, limit: 0 }), 'limit');
      await refused(store.queue.schedule('nightly', 'not a cron', {}), 'cron');
      await refused(store.queue.schedule('nightly', '0 3 * * *', {}, { timeZone: 'Mars/Olympus' }), 'options.timeZone');
      assert.throws(() => store.queue.work('q', async () => {}, { concurrency: 0 }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      assert.equal((await store.queue.list()).length, 0);
      assert.deepEqual(await store.queue.schedules(), []);
    });

    test('store.cleanup removes finished jobs past their age, never a waiting, delayed or running one', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.queue.enqueueMany('q', Array.from({ length: 6 }, (_, i) => ({ payload: i })));
      await store.queue.enqueue('q', 'delayed', { delayMs: 3_600_000 });
      const [a, b, c, running] = await store.queue.claim('q', { ...worker, limit: 4 });
      await store.queue.complete(a!);
      await store.queue.fail(b!, 'x', { retry: false });
      await store.queue.cancel(c!.id);
      const kept = await store.cleanup({ olderThanDays: 1 });
      assert.equal(kept.queue, 0, 'nothing is old enough yet');
      // A day from now, everything finished is older than a day, by the store's clock.
      const later = Date.now() + 2 * 86_400_000;
      const realNow = Date.now;
      Date.now = () => later;
      let result;
      try {
        result = await store.cleanup({ olderThanDays: 1 });
      } finally {
        Date.now = realNow;
      }
      assert.equal(result.queue, 3);
      const left = await store.queue.list();
      assert.deepEqual(left.map((j) => j.state).sort(), ['running', 'waiting', 'waiting', 'waiting']);
      assert.ok(left.some((j) => j.id === running!.id));
    });
  });
}
