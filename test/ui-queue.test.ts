/**
 * The queue pages' server side, on every backend: each queue's counts (also in the live
 * samples), jobs newest first by queue and state and paged by id, a dead letter's attempts
 * with their workers and errors, the schedules' last and next ticks, and the parameters
 * refused with their codes. The jobs are made by fixtures/ui-queue.ts through store.queue.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '../src/index.ts';
import type { Handler } from '../src/ui/api/context.ts';
import { job, jobs, preview, PREVIEW_CHARS, queues, schedules } from '../src/ui/api/queue.ts';
import { Sampler } from '../src/ui/sampler.ts';
import { addQueue, DEAD_LETTER_CODE, DEAD_LETTER_ERROR, DEAD_LETTER_TO, DEAD_LETTER_WORKERS, XSS_QUEUE } from './fixtures/ui-queue.ts';
import { BACKENDS, tempStore } from './helpers.ts';

const call = (handler: Handler, store: Store, params: Record<string, string> = {}) =>
  handler({ store, sampler: undefined as never, params: new URLSearchParams(params) }) as Promise<Record<string, any>>;

describe('a job\'s payload in a listing', () => {
  test('one line of its JSON, cut with an ellipsis past PREVIEW_CHARS', () => {
    assert.equal(preview({ to: 'a@example.test' }), '{"to":"a@example.test"}');
    assert.equal(preview(undefined), '');
    const long = preview({ text: 'x'.repeat(1_000) });
    assert.equal(long.length, PREVIEW_CHARS);
    assert.ok(long.endsWith('…'));
  });
});

describe('times on the queue pages', () => {
  // The page's own module (plain JavaScript for the browser), loaded as the page loads it.
  const format = new URL('../src/ui/assets/js/format.js', import.meta.url).href;

  test('a length of time reads in the two largest units it has', async () => {
    const { duration } = await import(format) as { duration: (ms: number | null) => string };
    const cases: [number | null, string][] = [
      [null, '–'], [0, '0 ms'], [420, '420 ms'], [1_000, '1 s'], [8_500, '8.5 s'], [42_000, '42 s'], [60_000, '1 min'],
      [200_000, '3 min 20 s'], [7_500_000, '2 h 5 min'], [86_400_000, '1 d'], [273_600_000, '3 d 4 h'], [-5, '0 ms'],
    ];
    for (const [ms, text] of cases) assert.equal(duration(ms), text, String(ms));
  });

  test('a time reads from now: ahead as "in", behind as "ago"', async () => {
    const { relative } = await import(format) as { relative: (at: string | null, now: number) => string };
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(relative('2026-01-01T00:03:00Z', now), 'in 3 min');
    assert.equal(relative('2025-12-31T22:00:00Z', now), '2 h ago');
    assert.equal(relative(null, now), '');
    assert.equal(relative('not a time', now), '');
  });
});

for (const backend of BACKENDS) {
  describe(`${backend.name}: the queue as the dashboard reads it`, () => {
    test('counts per queue, jobs by queue and state, a dead letter\'s attempts, the schedules', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const { deadLetter } = await addQueue(store);

      const stats = await call(queues, store);
      assert.deepEqual(stats.items.map((q: { queue: string }) => q.queue), [XSS_QUEUE, 'emails', 'pulse', 'reports']);
      const emails = stats.items.find((q: { queue: string }) => q.queue === 'emails');
      assert.deepEqual({ ...emails, oldestWaitingMs: undefined }, {
        queue: 'emails', waiting: 2, delayed: 2, running: 1, completed: 6, failed: 1, cancelled: 1, oldestWaitingMs: undefined, concurrency: null,
      });
      assert.ok(emails.oldestWaitingMs >= 0);
      assert.equal(stats.items.find((q: { queue: string }) => q.queue === 'reports').concurrency, 2);

      // Newest first, paged by the last id of the page before; the pages meet without a gap or an overlap.
      const all = await call(jobs, store, { queue: 'emails', limit: '200' });
      const ids = all.items.map((j: { id: number }) => j.id);
      assert.equal(ids.length, 13);
      assert.deepEqual(ids, [...ids].sort((a: number, b: number) => b - a));
      const first = await call(jobs, store, { queue: 'emails', limit: '5' });
      const second = await call(jobs, store, { queue: 'emails', limit: '5', before: String(first.next) });
      assert.deepEqual([...first.items, ...second.items].map((j: { id: number }) => j.id), ids.slice(0, 10));
      const last = await call(jobs, store, { queue: 'emails', limit: '5', before: String(ids[9]) });
      assert.equal(last.items.length, 3);
      assert.equal(last.next, null);

      const waiting = await call(jobs, store, { queue: 'emails', state: 'waiting' });
      assert.deepEqual(waiting.items.map((j: { delayed: boolean }) => j.delayed).sort(), [false, false, true, true]);
      const retrying = waiting.items.find((j: { error: unknown }) => j.error !== null);
      assert.deepEqual(retrying.error, { message: 'connection reset by peer', code: null });
      const running = await call(jobs, store, { state: 'running' });
      assert.deepEqual(running.items.map((j: Record<string, unknown>) => [j.queue, j.workerId, j.leaseEnded]), [['emails', 'mailer-3', false]]);
      const failed = await call(jobs, store, { state: 'failed' });
      assert.deepEqual(failed.items.map((j: { queue: string }) => j.queue), [XSS_QUEUE, 'emails']);
      assert.equal(failed.items[1].payload, JSON.stringify({ to: DEAD_LETTER_TO, template: 'invoice' }));

      const dead = (await call(job, store, { id: String(deadLetter) })).job;
      assert.equal(dead.state, 'failed');
      assert.deepEqual(dead.payload, { to: DEAD_LETTER_TO, template: 'invoice' });
      assert.equal(dead.result, null);
      assert.deepEqual(dead.attempts.map((a: { attempt: number; workerId: string }) => [a.attempt, a.workerId]), DEAD_LETTER_WORKERS.map((w, i) => [i + 1, w]));
      for (const attempt of dead.attempts) {
        assert.equal(attempt.error.message, DEAD_LETTER_ERROR);
        assert.equal(attempt.error.code, DEAD_LETTER_CODE);
        assert.match(attempt.error.stack, /^Error: 550/);
        assert.ok(attempt.endedAt >= attempt.startedAt);
      }
      const done = (await call(jobs, store, { queue: 'reports', state: 'completed' })).items[0];
      assert.deepEqual((await call(job, store, { id: String(done.id) })).job.result, { pages: 12, bytes: 48_213 });

      // A new schedule's own time is no tick: only pulse, which a worker ran, has ticked.
      const ticks = (await call(schedules, store)).items;
      assert.deepEqual(ticks.map((s: { name: string; lastTick: unknown }) => [s.name, s.lastTick !== null]), [['emails-digest', false], ['pulse', true], ['reports', false]]);
      const reports = ticks.find((s: { name: string }) => s.name === 'reports');
      assert.deepEqual([reports.cron, reports.timeZone, reports.options], ['0 6 * * 1-5', 'Europe/Paris', { maxAttempts: 5 }]);
      assert.equal(new Date(reports.nextTick).getUTCMinutes(), 0);
      assert.ok(reports.since !== null && new Date(reports.nextTick) > new Date(reports.since));

      // The samples carry each queue's counts, for the charts.
      const sampler = new Sampler(store, { intervalMs: 60_000, historyMs: 600_000 });
      await sampler.start();
      await sampler.stop();
      const sampled = sampler.latest()!;
      assert.equal(sampled.moreQueues, false);
      assert.deepEqual(sampled.queues.map((q) => [q.queue, q.failed]), [[XSS_QUEUE, 1], ['emails', 1], ['pulse', 0], ['reports', 0]]);
    });

    test('bad parameters are FLOWSTORE_INVALID_ARGUMENT, an unknown job FLOWSTORE_NOT_FOUND', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await assert.rejects(call(jobs, store, { state: 'delayed' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(jobs, store, { before: '-1' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(jobs, store, { before: '99999999999999999' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(jobs, store, { limit: '201' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(job, store), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(job, store, { id: 'x' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(job, store, { id: '12345' }), { code: 'FLOWSTORE_NOT_FOUND' });
      assert.deepEqual((await call(jobs, store)).items, []);
      assert.deepEqual((await call(queues, store)).items, []);
      assert.deepEqual((await call(schedules, store)).items, []);
    });
  });
}
