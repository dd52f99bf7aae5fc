/**
 * Units of flowstore/openworkflow: OpenWorkflow's duration strings, the retry policy's
 * backoff and what a failure makes of a run, its page cursors, the coalescer that
 * sends a worker's calls of one kind together, and the refill that holds a full worker's
 * last claim until one of its runs ends.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMs, failure } from '../src/domains/openworkflow/failure.ts';
import { Coalescer } from '../src/openworkflow/coalesce.ts';
import { encodeCursor, pageStart, toPage } from '../src/openworkflow/cursor.ts';
import { durationMs } from '../src/openworkflow/duration.ts';
import { MAX_HOLD_MS, Refill } from '../src/openworkflow/refill.ts';

test("durations read as OpenWorkflow reads them; what does not parse is 0 ms", () => {
  const cases: [string, number][] = [['1s', 1000], ['500ms', 500], ['250', 250], ['1.5h', 5_400_000], ['2 minutes', 120_000], ['1d', 86_400_000],
    ['1w', 604_800_000], ['1mo', 2_629_800_000], ['1y', 31_557_600_000], ['.5s', 500], ['3 SECS', 3000]];
  for (const [text, ms] of cases) assert.equal(durationMs(text), ms, text);
  for (const bad of ['', 'soon', '1 fortnight', '1s2']) assert.equal(durationMs(bad), 0, bad);
  assert.equal(durationMs(undefined), 0);
});

test('backoff doubles from the initial interval, capped at the maximum, without jitter', () => {
  const policy = { initialMs: 1000, coefficient: 2, maximumMs: 5000, maximumAttempts: 0 };
  assert.deepEqual([1, 2, 3, 4, 5].map((attempt) => backoffMs(policy, attempt)), [1000, 2000, 4000, 5000, 5000]);
  assert.equal(backoffMs(policy, 0), 1000, 'attempt 0 counts as the first');
});

test('a failure: pending after the backoff; failed past the attempts, at the deadline, or when the retry would pass it', () => {
  const policy = { initialMs: 1000, coefficient: 2, maximumMs: 100_000, maximumAttempts: 3 };
  assert.deepEqual(failure(policy, 1, null, '{"message":"x"}', 10_000), { status: 'pending', availableAt: 11_000, finishedAt: null, error: '{"message":"x"}' });
  assert.deepEqual(failure(policy, 3, null, 'e', 10_000), { status: 'failed', availableAt: null, finishedAt: 10_000, error: 'e' });
  assert.equal(failure({ ...policy, maximumAttempts: 0 }, 50, null, 'e', 0).status, 'pending', '0: no limit');
  assert.deepEqual(failure(policy, 1, 10_000, 'e', 10_000).error, JSON.stringify({ message: 'Workflow run deadline exceeded' }));
  assert.equal(failure(policy, 1, 10_500, 'e', 10_000).error, 'e', 'the retry at 11,000 would pass the deadline: failed with its own error');
  assert.equal(failure(policy, 1, 11_001, 'e', 10_000).status, 'pending');
});

test("cursors are OpenWorkflow's own form; pages turn both ways; both cursors at once are refused", () => {
  const row = { createdAt: new Date(1_700_000_000_123), id: 'b' };
  const cursor = encodeCursor(row);
  assert.deepEqual(JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')), { createdAt: '2023-11-14T22:13:20.123Z', id: 'b' });
  assert.deepEqual(pageStart({ after: cursor }, true), { cursor: { createdAt: 1_700_000_000_123, id: 'b', newest: true }, limit: 100 });
  assert.deepEqual(pageStart({ before: cursor, limit: 5 }, true), { cursor: { createdAt: 1_700_000_000_123, id: 'b', newest: false }, limit: 5 });
  assert.throws(() => pageStart({ after: cursor, before: cursor }, true), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
  assert.throws(() => pageStart({ after: 'not a cursor' }, true), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
  assert.throws(() => pageStart({ limit: 0 }, true), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
  const rows = [1, 2, 3].map((n) => ({ createdAt: new Date(n), id: String(n) }));
  const forward = toPage({ rows, newest: false }, { limit: 2 }, 2);
  assert.deepEqual(forward.data.map((r) => r.id), ['1', '2']);
  assert.equal(forward.pagination.prev, null);
  assert.equal(forward.pagination.next, encodeCursor(rows[1]!));
  // Read backwards from a cursor: the rows come newest first and are turned back.
  const back = toPage({ rows: [...rows].reverse(), newest: true }, { before: 'c', limit: 2 }, 2);
  assert.deepEqual(back.data.map((r) => r.id), ['2', '3']);
  assert.equal(back.pagination.prev, encodeCursor(rows[1]!));
  assert.equal(back.pagination.next, encodeCursor(rows[2]!));
});

test('the coalescer sends calls of one turn together, two batches on their way at most, and settles each alone', async () => {
  const sent: number[][] = [];
  const gates: (() => void)[] = [];
  const coalescer = new Coalescer<number, number>((items) => {
    sent.push(items);
    return new Promise((resolve) => gates.push(() => resolve(items.map((n) => (n < 0 ? { code: 'FLOWSTORE_CONFLICT' as const, message: `refused ${n}` } : { row: n * 10 })))));
  });
  const first = [1, 2, 3].map((n) => coalescer.call(n));
  await Promise.resolve();
  const second = [coalescer.call(4)];
  await Promise.resolve();
  const waiting = [coalescer.call(-5), coalescer.call(6)];
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sent, [[1, 2, 3], [4]], 'two on their way; the rest wait');
  gates.shift()!();
  assert.deepEqual(await Promise.all(first), [10, 20, 30]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sent.at(-1), [-5, 6], 'those that waited go together');
  gates.shift()!();
  gates.shift()!();
  assert.deepEqual(await Promise.all(second), [40]);
  const [refused, done] = await Promise.allSettled(waiting);
  assert.equal(refused!.status, 'rejected');
  assert.deepEqual([(refused as PromiseRejectedResult).reason.code, (refused as PromiseRejectedResult).reason.message], ['FLOWSTORE_CONFLICT', 'refused -5']);
  assert.deepEqual(done, { status: 'fulfilled', value: 60 });
});

/** A claim of run `id` (null: nothing to claim), leased for `leaseMs`, whose answer is recorded when it comes. */
function claimOf(refill: Refill, id: string | null, answered: string[], leaseMs = 60_000) {
  let taken = false;
  const answer = refill.claim(async () => {
    taken = true;
    return id;
  }, (got) => (got === null ? null : { id: got, leaseEnd: Date.now() + leaseMs })).then((got) => {
    answered.push(got ?? 'null');
    return got;
  });
  return { answer, taken: () => taken };
}

test("the refill answers a lone claim, and a claim that finds nothing, at once; a tick's last claim beside running runs waits for one to end", async () => {
  const refill = new Refill();
  const answered: string[] = [];
  assert.equal(await claimOf(refill, 'a', answered).answer, 'a', 'nothing else in progress: at once');
  // A tick of three: the first two are answered at once, the last once a run ends.
  const tick = ['b', 'c', 'd'].map((id) => claimOf(refill, id, answered));
  assert.ok(tick.every((claim) => claim.taken()), 'every claim is made at once');
  await Promise.all([tick[0]!.answer, tick[1]!.answer]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(answered, ['a', 'b', 'c'], 'd waits');
  assert.equal(await refill.ending('a', Promise.resolve('done')), 'done', "the ending call's own answer");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(answered, ['a', 'b', 'c', 'd'], 'd answered as a run ended, not after MAX_HOLD_MS');
  assert.equal(await tick[2]!.answer, 'd');
  assert.equal(await claimOf(refill, null, answered).answer, null, 'nothing claimed: never held');
  await assert.rejects(refill.ending('b', Promise.reject(Object.assign(new Error('lost'), { code: 'FLOWSTORE_CONFLICT' }))), { code: 'FLOWSTORE_CONFLICT' },
    'a refused ending call still ends the hold, and keeps its refusal');
});

test('the refill holds an answer at most MAX_HOLD_MS when nothing ends', async () => {
  const refill = new Refill();
  const answered: string[] = [];
  await claimOf(refill, 'a', answered).answer;
  const started = performance.now();
  assert.equal(await claimOf(refill, 'b', answered).answer, 'b');
  const waited = performance.now() - started;
  assert.ok(waited >= MAX_HOLD_MS - 2, `held ${waited} ms`);
  assert.equal(await claimOf(refill, 'c', answered).answer, 'c', 'a and b still in progress: held again, and answered');
});

test("a run whose lease ended without a word no longer holds a claim; an extended lease still does", async () => {
  const refill = new Refill();
  const answered: string[] = [];
  await claimOf(refill, 'lost', answered, 1).answer;
  await new Promise((resolve) => setTimeout(resolve, 5));
  const started = performance.now();
  assert.equal(await claimOf(refill, 'a', answered, 1).answer, 'a');
  assert.ok(performance.now() - started < MAX_HOLD_MS, "'lost' is no longer in progress: answered at once");
  refill.extended('a', Date.now() + 60_000);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const b = claimOf(refill, 'b', answered);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(answered, ['lost', 'a'], 'b waits for a, whose lease was extended');
  await refill.ending('a', Promise.resolve(null));
  assert.equal(await b.answer, 'b');
});
