/**
 * flowstore/openworkflow's contract, the same on a file, :memory: and PostgreSQL: what
 * OpenWorkflow's own backend suite (packages/openworkflow/testing/backend.testsuite.ts)
 * checks of a backend, said again here: runs and step attempts as exactly its objects,
 * idempotency keys within the period, claims and leases, sleeping and waking, failure with
 * backoff and deadlines, cancellation, step attempts and child runs, signals, counts and
 * pages; and what a drop-in owes besides (UUIDs, whole milliseconds, the caller's clock).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { DEFAULT_NAMESPACE_ID as OW_NAMESPACE, DEFAULT_RUN_IDEMPOTENCY_PERIOD_MS as OW_PERIOD, type CreateWorkflowRunParams } from 'openworkflow/internal';
import { openStore, type Store } from '../src/index.ts';
import { DEFAULT_NAMESPACE_ID, DEFAULT_RUN_IDEMPOTENCY_PERIOD_MS, FlowstoreBackend } from '../src/openworkflow/index.ts';
import { BACKENDS, cleanup, tempLocation, tempStore, waitFor } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RUN_FIELDS = ['namespaceId', 'id', 'workflowName', 'version', 'status', 'idempotencyKey', 'config', 'context', 'input', 'output', 'error',
  'attempts', 'parentStepAttemptNamespaceId', 'parentStepAttemptId', 'workerId', 'availableAt', 'deadlineAt', 'startedAt', 'finishedAt',
  'createdAt', 'updatedAt'].sort();
const STEP_FIELDS = ['namespaceId', 'id', 'workflowRunId', 'stepName', 'kind', 'status', 'config', 'context', 'output', 'error',
  'childWorkflowRunNamespaceId', 'childWorkflowRunId', 'startedAt', 'finishedAt', 'createdAt', 'updatedAt'].sort();
/** OpenWorkflow's default policy: 1s, doubling, at most 100s, one attempt. */
const POLICY = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '100s', maximumAttempts: 1 } as const;
const RETRYING = { ...POLICY, maximumAttempts: 3 } as const;

function params(overrides: Partial<CreateWorkflowRunParams> = {}): CreateWorkflowRunParams {
  return {
    workflowName: `wf-${randomUUID()}`, version: null, idempotencyKey: null, config: {}, context: null, input: null,
    parentStepAttemptNamespaceId: null, parentStepAttemptId: null, availableAt: null, deadlineAt: null, ...overrides,
  };
}

for (const place of BACKENDS) {
  describe(`flowstore/openworkflow on ${place.name}`, () => {
    /** A backend with a namespace of its own on a new store, as OpenWorkflow's suite sets each up. */
    async function open(t: TestContext): Promise<FlowstoreBackend> {
      const store = await tempStore(t, { path: place.path });
      return FlowstoreBackend.open({ store, namespaceId: randomUUID() });
    }
    /** Another backend on the same store, in a namespace of its own. */
    const beside = (backend: FlowstoreBackend, namespaceId: string = randomUUID()) => new FlowstoreBackend(backend.store, { namespaceId });

    async function claimed(backend: FlowstoreBackend, overrides: Partial<CreateWorkflowRunParams> = {}, leaseMs = 60_000) {
      const created = await backend.createWorkflowRun(params(overrides));
      const workerId = randomUUID();
      const run = await backend.claimWorkflowRun({ workerId, leaseDurationMs: leaseMs });
      assert.equal(run?.id, created.id);
      return { run: run!, workerId };
    }
    async function step(backend: FlowstoreBackend, runId: string, workerId: string, extra: Partial<Parameters<FlowstoreBackend['createStepAttempt']>[0]> = {}) {
      return backend.createStepAttempt({ workflowRunId: runId, workerId, stepName: `step-${randomUUID()}`, kind: 'function', config: {}, context: null, ...extra });
    }
    /** Waits until the clock passes `date`, so that a lease given in milliseconds has ended. */
    const after = (date: Date | null) => waitFor(() => Date.now() > date!.getTime(), 'the time to pass');

    test('a new run is exactly a WorkflowRun: pending, a UUID, the values given, whole-millisecond times', async (t) => {
      const backend = await open(t);
      const before = Date.now();
      const run = await backend.createWorkflowRun(params({
        version: 'v1', idempotencyKey: randomUUID(), config: { key: 'val' }, context: { c: [1, 2] }, input: { n: 1, s: 'ü' },
      }));
      assert.deepEqual(Object.keys(run).sort(), RUN_FIELDS);
      assert.match(run.id, UUID);
      assert.equal(run.namespaceId, backend.namespaceId);
      assert.equal(run.status, 'pending');
      assert.equal(run.attempts, 0);
      assert.deepEqual([run.config, run.context, run.input, run.output, run.error], [{ key: 'val' }, { c: [1, 2] }, { n: 1, s: 'ü' }, null, null]);
      assert.deepEqual([run.workerId, run.startedAt, run.finishedAt, run.deadlineAt], [null, null, null, null]);
      assert.ok(run.createdAt.getTime() >= before && Number.isInteger(run.createdAt.getTime()));
      assert.equal(run.availableAt?.getTime(), run.createdAt.getTime(), 'due at once when no availableAt is given');
      assert.deepEqual(await backend.getWorkflowRun({ workflowRunId: run.id }), run);
      assert.equal(await backend.getWorkflowRun({ workflowRunId: randomUUID() }), null);
    });

    test('parent linkage is kept when given and null when a caller leaves it out', async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend);
      const parentStep = await step(backend, run.id, workerId, { kind: 'workflow' });
      const child = await backend.createWorkflowRun(params({ parentStepAttemptNamespaceId: backend.namespaceId, parentStepAttemptId: parentStep.id }));
      assert.deepEqual([child.parentStepAttemptNamespaceId, child.parentStepAttemptId], [backend.namespaceId, parentStep.id]);
      const legacy = { ...params() } as Partial<CreateWorkflowRunParams>;
      delete legacy.parentStepAttemptId;
      delete legacy.parentStepAttemptNamespaceId;
      const old = await backend.createWorkflowRun(legacy as CreateWorkflowRunParams);
      assert.deepEqual([old.parentStepAttemptNamespaceId, old.parentStepAttemptId], [null, null]);
    });

    test('an idempotency key names one run of a workflow in a namespace, whatever its version or state', async (t) => {
      const backend = await open(t);
      const key = randomUUID();
      const first = await backend.createWorkflowRun(params({ workflowName: 'billing', version: 'v1', idempotencyKey: key }));
      assert.deepEqual(await backend.createWorkflowRun(params({ workflowName: 'billing', version: 'v2', idempotencyKey: key })), first);
      assert.notEqual((await backend.createWorkflowRun(params({ workflowName: 'other', idempotencyKey: key }))).id, first.id);
      const elsewhere = beside(backend);
      assert.notEqual((await elsewhere.createWorkflowRun(params({ workflowName: 'billing', idempotencyKey: key }))).id, first.id);
      const a = await backend.createWorkflowRun(params({ workflowName: 'nokey' }));
      const b = await backend.createWorkflowRun(params({ workflowName: 'nokey' }));
      assert.notEqual(a.id, b.id, 'runs without a key are distinct');
      // Finished runs still answer for their key.
      for (const end of ['completed', 'failed', 'canceled'] as const) {
        const own = beside(backend);
        const made = await own.createWorkflowRun(params({ workflowName: 'ends', idempotencyKey: key }));
        if (end === 'canceled') await own.cancelWorkflowRun({ workflowRunId: made.id });
        else {
          const workerId = randomUUID();
          assert.equal((await own.claimWorkflowRun({ workerId, leaseDurationMs: 60_000 }))?.id, made.id);
          if (end === 'completed') await own.completeWorkflowRun({ workflowRunId: made.id, workerId, output: { ok: true } });
          else await own.failWorkflowRun({ workflowRunId: made.id, workerId, error: { message: 'x' }, retryPolicy: POLICY });
        }
        const again = await own.createWorkflowRun(params({ workflowName: 'ends', idempotencyKey: key }));
        assert.equal(again.id, made.id);
        assert.equal(again.status, end);
      }
    });

    test("the idempotency period is measured on the caller's Date.now(), which a test may mock", async (t) => {
      const backend = await open(t);
      assert.equal(DEFAULT_RUN_IDEMPOTENCY_PERIOD_MS, OW_PERIOD);
      const now = Date.now();
      const clock = t.mock.method(Date, 'now', () => now);
      const first = await backend.createWorkflowRun(params({ workflowName: 'w', idempotencyKey: 'k' }));
      assert.equal(first.createdAt.getTime(), now, 'created at the mocked time');
      clock.mock.mockImplementation(() => now + OW_PERIOD - 1);
      assert.equal((await backend.createWorkflowRun(params({ workflowName: 'w', idempotencyKey: 'k' }))).id, first.id);
      clock.mock.mockImplementation(() => now + OW_PERIOD + 60_000);
      assert.notEqual((await backend.createWorkflowRun(params({ workflowName: 'w', idempotencyKey: 'k' }))).id, first.id);
    });

    test('runs list newest first, in pages both ways, ties on createdAt broken by id, filtered by status and workflow', async (t) => {
      const backend = await open(t);
      assert.deepEqual(await backend.listWorkflowRuns({}), { data: [], pagination: { next: null, prev: null } });
      const now = Date.now();
      const clock = t.mock.method(Date, 'now', () => now);
      const tied = [];
      // Due later, so that the claim below takes the run made for it.
      const later0 = new Date(now + 3_600_000);
      for (let i = 0; i < 3; i++) tied.push(await backend.createWorkflowRun(params({ workflowName: 'a', availableAt: later0 })));
      clock.mock.mockImplementation(() => now + 5);
      const later = [];
      for (let i = 0; i < 2; i++) later.push(await backend.createWorkflowRun(params({ workflowName: 'b', availableAt: later0 })));
      clock.mock.restore();
      const expected = [...later.sort((x, y) => (x.id < y.id ? 1 : -1)), ...tied.sort((x, y) => (x.id < y.id ? 1 : -1))].map((r) => r.id);
      assert.deepEqual((await backend.listWorkflowRuns({})).data.map((r) => r.id), expected);
      const seen: string[] = [];
      let page = await backend.listWorkflowRuns({ limit: 2 });
      assert.equal(page.pagination.prev, null);
      seen.push(...page.data.map((r) => r.id));
      while (page.pagination.next) {
        page = await backend.listWorkflowRuns({ limit: 2, after: page.pagination.next });
        assert.notEqual(page.pagination.prev, null);
        seen.push(...page.data.map((r) => r.id));
      }
      assert.deepEqual(seen, expected, 'every run once, in order, across pages with tied times');
      const second = await backend.listWorkflowRuns({ limit: 2, after: (await backend.listWorkflowRuns({ limit: 2 })).pagination.next! });
      const back = await backend.listWorkflowRuns({ limit: 2, before: second.pagination.prev! });
      assert.deepEqual(back.data.map((r) => r.id), expected.slice(0, 2));
      assert.equal(back.pagination.prev, null);
      assert.notEqual(back.pagination.next, null);
      await assert.rejects(backend.listWorkflowRuns({ after: second.pagination.next!, before: second.pagination.prev! }),
        { code: 'FLOWSTORE_INVALID_ARGUMENT', message: "Cannot specify both 'after' and 'before' cursors" });

      const { run, workerId } = await claimed(backend, { workflowName: 'c' });
      await backend.completeWorkflowRun({ workflowRunId: run.id, workerId, output: null });
      assert.deepEqual((await backend.listWorkflowRuns({ status: 'completed' })).data.map((r) => r.id), [run.id]);
      assert.deepEqual((await backend.listWorkflowRuns({ workflowName: 'b' })).data.map((r) => r.id).sort(), later.map((r) => r.id).sort());
      assert.deepEqual((await backend.listWorkflowRuns({ workflowName: 'a', status: 'pending', limit: 2 })).data.length, 2);
      assert.deepEqual((await backend.listWorkflowRuns({ workflowName: 'c', status: 'pending' })).data, []);
      assert.deepEqual((await beside(backend).listWorkflowRuns({})).data, [], 'another namespace sees none of them');
    });

    test('counts by status start at zero and follow each transition', async (t) => {
      const backend = await open(t);
      const zero = { pending: 0, running: 0, completed: 0, failed: 0, canceled: 0 };
      assert.deepEqual(await backend.countWorkflowRuns(), zero);
      const { run, workerId } = await claimed(backend);
      assert.deepEqual(await backend.countWorkflowRuns(), { ...zero, running: 1 });
      await backend.createWorkflowRun(params({ availableAt: new Date(Date.now() + 3_600_000) }));
      assert.deepEqual(await backend.countWorkflowRuns(), { ...zero, pending: 1, running: 1 });
      await backend.sleepWorkflowRun({ workflowRunId: run.id, workerId, availableAt: new Date(Date.now() + 60_000) });
      assert.deepEqual(await backend.countWorkflowRuns(), { ...zero, pending: 1, running: 1 }, 'a parked run counts as running');
      const second = await claimed(backend);
      await backend.completeWorkflowRun({ workflowRunId: second.run.id, workerId: second.workerId, output: 1 });
      await backend.cancelWorkflowRun({ workflowRunId: run.id });
      assert.deepEqual(await backend.countWorkflowRuns(), { ...zero, pending: 1, completed: 1, canceled: 1 });
    });

    test('a claim holds a run for its lease; another takes it once the lease ends, as a new attempt', async (t) => {
      const backend = await open(t);
      assert.equal(await backend.claimWorkflowRun({ workerId: randomUUID(), leaseDurationMs: 100 }), null, 'nothing to claim');
      const { run, workerId } = await claimed(backend, {}, 60_000);
      assert.deepEqual([run.status, run.workerId, run.attempts], ['running', workerId, 1]);
      assert.ok(run.startedAt && run.availableAt!.getTime() === run.updatedAt.getTime() + 60_000);
      assert.equal(await backend.claimWorkflowRun({ workerId: randomUUID(), leaseDurationMs: 10 }), null, 'held');
      await backend.completeWorkflowRun({ workflowRunId: run.id, workerId, output: null });

      const short = await claimed(backend, {}, 50);
      await after(short.run.availableAt);
      const other = randomUUID();
      const again = await backend.claimWorkflowRun({ workerId: other, leaseDurationMs: 60_000 });
      assert.deepEqual([again?.id, again?.attempts, again?.workerId], [short.run.id, 2, other]);
      assert.equal(again?.startedAt?.getTime(), short.run.startedAt?.getTime(), 'started when first claimed');
      await assert.rejects(backend.completeWorkflowRun({ workflowRunId: short.run.id, workerId: short.workerId, output: null }),
        { code: 'FLOWSTORE_CONFLICT', message: 'Failed to mark workflow run completed' }, 'the first worker no longer holds it');
    });

    test('pending runs are claimed before running ones whose lease ended', async (t) => {
      const backend = await open(t);
      const stale = await claimed(backend, {}, 30);
      await after(stale.run.availableAt);
      const fresh = await backend.createWorkflowRun(params());
      assert.equal((await backend.claimWorkflowRun({ workerId: 'w2', leaseDurationMs: 60_000 }))?.id, fresh.id);
      assert.equal((await backend.claimWorkflowRun({ workerId: 'w3', leaseDurationMs: 60_000 }))?.id, stale.run.id);
    });

    test('a run due later is not claimed before it is due', async (t) => {
      const backend = await open(t);
      const run = await backend.createWorkflowRun(params({ availableAt: new Date(Date.now() + 60_000) }));
      assert.equal(await backend.claimWorkflowRun({ workerId: 'w', leaseDurationMs: 1000 }), null);
      // Every "now" is the caller's Date.now(): a minute passes when the clock says so.
      const realNow = Date.now.bind(Date);
      t.mock.method(Date, 'now', () => realNow() + 61_000);
      const taken = await backend.claimWorkflowRun({ workerId: 'w', leaseDurationMs: 1000 });
      assert.equal(taken?.id, run.id);
    });

    test('a lease is extended by its worker only', async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend, {}, 100);
      const extended = await backend.extendWorkflowRunLease({ workflowRunId: run.id, workerId, leaseDurationMs: 60_000 });
      assert.ok(extended.availableAt!.getTime() > run.availableAt!.getTime() + 50_000);
      assert.deepEqual(Object.keys(extended).sort(), RUN_FIELDS);
      await assert.rejects(backend.extendWorkflowRunLease({ workflowRunId: run.id, workerId: 'someone-else', leaseDurationMs: 1000 }),
        { code: 'FLOWSTORE_CONFLICT', message: 'Failed to extend lease for workflow run' });
    });

    test('sleep parks a run with no worker until its time; a finished run cannot sleep', async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend);
      const until = new Date(Date.now() + 5000);
      const parked = await backend.sleepWorkflowRun({ workflowRunId: run.id, workerId, availableAt: until });
      assert.deepEqual([parked.status, parked.workerId, parked.availableAt?.getTime()], ['running', null, until.getTime()]);
      assert.equal(await backend.claimWorkflowRun({ workerId: 'w', leaseDurationMs: 1000 }), null, 'not due yet');
      for (const end of ['completed', 'failed', 'canceled'] as const) {
        const c = await claimed(backend);
        if (end === 'completed') await backend.completeWorkflowRun({ workflowRunId: c.run.id, workerId: c.workerId, output: null });
        if (end === 'failed') await backend.failWorkflowRun({ workflowRunId: c.run.id, workerId: c.workerId, error: { message: 'x' }, retryPolicy: POLICY });
        if (end === 'canceled') await backend.cancelWorkflowRun({ workflowRunId: c.run.id });
        await assert.rejects(backend.sleepWorkflowRun({ workflowRunId: c.run.id, workerId: c.workerId, availableAt: until }),
          { code: 'FLOWSTORE_CONFLICT', message: 'Failed to sleep workflow run' }, end);
      }
    });

    test('completing a run keeps its output and worker; a parked parent wakes, a running one is left alone', async (t) => {
      const backend = await open(t);
      const parent = await claimed(backend);
      const link = await step(backend, parent.run.id, parent.workerId, { kind: 'workflow', context: { kind: 'workflow', timeoutAt: null } });
      const child = await backend.createWorkflowRun(params({ parentStepAttemptNamespaceId: backend.namespaceId, parentStepAttemptId: link.id }));
      await backend.setStepAttemptChildWorkflowRun({ workflowRunId: parent.run.id, stepAttemptId: link.id, workerId: parent.workerId,
        childWorkflowRunNamespaceId: backend.namespaceId, childWorkflowRunId: child.id });
      // While the parent's worker still holds it, the child's end changes nothing of it.
      const childWorker = randomUUID();
      assert.equal((await backend.claimWorkflowRun({ workerId: childWorker, leaseDurationMs: 60_000 }))?.id, child.id);
      const held = await backend.getWorkflowRun({ workflowRunId: parent.run.id });
      const done = await backend.completeWorkflowRun({ workflowRunId: child.id, workerId: childWorker, output: { value: 42 } });
      assert.deepEqual([done.status, done.output, done.workerId, done.availableAt], ['completed', { value: 42 }, childWorker, null]);
      assert.ok(done.finishedAt);
      assert.deepEqual(await backend.getWorkflowRun({ workflowRunId: parent.run.id }), held, 'a running parent is not touched');

      // A parent that parks after its child finished is due at once.
      const far = new Date(Date.now() + 3_600_000);
      const parked = await backend.sleepWorkflowRun({ workflowRunId: parent.run.id, workerId: parent.workerId, availableAt: far });
      assert.ok(parked.availableAt!.getTime() <= Date.now());

      // A parent parked before its child finishes is woken by it.
      const p2 = await claimed(backend);
      const link2 = await step(backend, p2.run.id, p2.workerId, { kind: 'workflow', context: { kind: 'workflow', timeoutAt: null } });
      const child2 = await backend.createWorkflowRun(params({ parentStepAttemptNamespaceId: backend.namespaceId, parentStepAttemptId: link2.id }));
      await backend.setStepAttemptChildWorkflowRun({ workflowRunId: p2.run.id, stepAttemptId: link2.id, workerId: p2.workerId,
        childWorkflowRunNamespaceId: backend.namespaceId, childWorkflowRunId: child2.id });
      await backend.sleepWorkflowRun({ workflowRunId: p2.run.id, workerId: p2.workerId, availableAt: far });
      const w2 = randomUUID();
      // The parent woken earlier may be claimed first; claim until the child comes.
      let got = await backend.claimWorkflowRun({ workerId: w2, leaseDurationMs: 60_000 });
      while (got && got.id !== child2.id) got = await backend.claimWorkflowRun({ workerId: w2, leaseDurationMs: 60_000 });
      assert.equal(got?.id, child2.id);
      await backend.completeWorkflowRun({ workflowRunId: child2.id, workerId: w2, output: null });
      assert.ok((await backend.getWorkflowRun({ workflowRunId: p2.run.id }))!.availableAt!.getTime() <= Date.now(), 'woken');
    });

    test('a failed run waits out the exponential backoff, then fails for good past its attempts', async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend);
      const before = Date.now();
      const retry = await backend.failWorkflowRun({ workflowRunId: run.id, workerId, error: { message: 'boom' }, retryPolicy: RETRYING });
      assert.deepEqual([retry.status, retry.workerId, retry.startedAt, retry.finishedAt, retry.error], ['pending', null, null, null, { message: 'boom' }]);
      const delay = retry.availableAt!.getTime() - before;
      assert.ok(delay >= 1000 && delay <= 1000 + (Date.now() - before), `first retry after 1s, not ${delay} ms`);

      // Given the attempts the worker saw, as OpenWorkflow's worker passes them.
      const second = await claimed(backend);
      const t0 = Date.now();
      const later = await backend.failWorkflowRun({ workflowRunId: second.run.id, workerId: second.workerId, error: { message: 'again' },
        retryPolicy: RETRYING, attempts: 2, deadlineAt: null });
      const d2 = later.availableAt!.getTime() - t0;
      assert.ok(d2 >= 2000 && d2 <= 2000 + (Date.now() - t0), `second retry after 2s, not ${d2} ms`);
      const third = await claimed(backend);
      const final = await backend.failWorkflowRun({ workflowRunId: third.run.id, workerId: third.workerId, error: { message: 'last' },
        retryPolicy: RETRYING, attempts: 3, deadlineAt: null });
      assert.deepEqual([final.status, final.availableAt, final.error], ['failed', null, { message: 'last' }]);
      assert.ok(final.finishedAt);
      await assert.rejects(backend.failWorkflowRun({ workflowRunId: final.id, workerId: third.workerId, error: { message: 'x' }, retryPolicy: POLICY }),
        { code: 'FLOWSTORE_CONFLICT', message: 'Failed to mark workflow run failed' });
    });

    test('a child that fails and will retry does not wake its parent', async (t) => {
      const backend = await open(t);
      const parent = await claimed(backend);
      const link = await step(backend, parent.run.id, parent.workerId, { kind: 'workflow', context: { kind: 'workflow', timeoutAt: null } });
      const child = await backend.createWorkflowRun(params({ parentStepAttemptNamespaceId: backend.namespaceId, parentStepAttemptId: link.id }));
      await backend.setStepAttemptChildWorkflowRun({ workflowRunId: parent.run.id, stepAttemptId: link.id, workerId: parent.workerId,
        childWorkflowRunNamespaceId: backend.namespaceId, childWorkflowRunId: child.id });
      const until = new Date(Date.now() + 3_600_000);
      await backend.sleepWorkflowRun({ workflowRunId: parent.run.id, workerId: parent.workerId, availableAt: until });
      const cw = randomUUID();
      assert.equal((await backend.claimWorkflowRun({ workerId: cw, leaseDurationMs: 60_000 }))?.id, child.id);
      await backend.failWorkflowRun({ workflowRunId: child.id, workerId: cw, error: { message: 'retry me' }, retryPolicy: RETRYING });
      assert.equal((await backend.getWorkflowRun({ workflowRunId: parent.run.id }))!.availableAt!.getTime(), until.getTime());
    });

    test('deadlines: a run past its deadline is failed at the next claim, never claimed; a retry past it fails instead', async (t) => {
      const backend = await open(t);
      const deadlineAt = new Date(Date.now() + 60_000);
      const withDeadline = await backend.createWorkflowRun(params({ deadlineAt }));
      assert.equal(withDeadline.deadlineAt?.getTime(), deadlineAt.getTime());
      await backend.cancelWorkflowRun({ workflowRunId: withDeadline.id });

      const expired = await backend.createWorkflowRun(params({ deadlineAt: new Date(Date.now() + 30) }));
      await after(new Date(Date.now() + 40));
      assert.equal(await backend.claimWorkflowRun({ workerId: 'w', leaseDurationMs: 1000 }), null);
      const failed = await backend.getWorkflowRun({ workflowRunId: expired.id });
      assert.deepEqual([failed?.status, failed?.error, failed?.availableAt, failed?.workerId], ['failed', { message: 'Workflow run deadline exceeded' }, null, null]);
      assert.ok(failed?.finishedAt);

      const soon = await claimed(backend, { deadlineAt: new Date(Date.now() + 500) });
      const gaveUp = await backend.failWorkflowRun({ workflowRunId: soon.run.id, workerId: soon.workerId, error: { message: 'no time' }, retryPolicy: RETRYING });
      assert.deepEqual([gaveUp.status, gaveUp.error], ['failed', { message: 'no time' }], 'the retry would come after the deadline');
      const roomy = await claimed(backend, { deadlineAt: new Date(Date.now() + 60_000) });
      const retried = await backend.failWorkflowRun({ workflowRunId: roomy.run.id, workerId: roomy.workerId, error: { message: 'ok' }, retryPolicy: RETRYING });
      assert.equal(retried.status, 'pending');
    });

    test('a run is rescheduled after a failed step attempt by the worker that holds it', async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend);
      const at = new Date(Date.now() + 5000);
      const again = await backend.rescheduleWorkflowRunAfterFailedStepAttempt({ workflowRunId: run.id, workerId, error: { message: 'step' }, availableAt: at });
      assert.deepEqual([again.status, again.availableAt?.getTime(), again.error, again.workerId, again.startedAt, again.finishedAt],
        ['pending', at.getTime(), { message: 'step' }, null, null, null]);
      await assert.rejects(backend.rescheduleWorkflowRunAfterFailedStepAttempt({ workflowRunId: run.id, workerId, error: { message: 'x' }, availableAt: at }),
        { code: 'FLOWSTORE_CONFLICT', message: 'Failed to reschedule workflow run after failed step attempt' });
    });

    test('cancel: pending, running and parked runs; again is the same; finished or unknown runs are refused', async (t) => {
      const backend = await open(t);
      const pending = await backend.createWorkflowRun(params());
      const canceled = await backend.cancelWorkflowRun({ workflowRunId: pending.id });
      assert.deepEqual([canceled.status, canceled.workerId, canceled.availableAt], ['canceled', null, null]);
      assert.ok(canceled.finishedAt);
      assert.deepEqual(await backend.cancelWorkflowRun({ workflowRunId: pending.id }), canceled, 'idempotent');
      const running = await claimed(backend);
      assert.equal((await backend.cancelWorkflowRun({ workflowRunId: running.run.id })).status, 'canceled');
      await assert.rejects(backend.completeWorkflowRun({ workflowRunId: running.run.id, workerId: running.workerId, output: null }),
        { message: 'Failed to mark workflow run completed' });
      const parked = await claimed(backend);
      await backend.sleepWorkflowRun({ workflowRunId: parked.run.id, workerId: parked.workerId, availableAt: new Date(Date.now() + 60_000) });
      assert.equal((await backend.cancelWorkflowRun({ workflowRunId: parked.run.id })).status, 'canceled');
      assert.equal(await backend.claimWorkflowRun({ workerId: 'w', leaseDurationMs: 1000 }), null, 'canceled runs are never claimed');

      const done = await claimed(backend);
      await backend.completeWorkflowRun({ workflowRunId: done.run.id, workerId: done.workerId, output: null });
      await assert.rejects(backend.cancelWorkflowRun({ workflowRunId: done.run.id }),
        { code: 'FLOWSTORE_CONFLICT', message: `Cannot cancel workflow run ${done.run.id} with status completed` });
      const failed = await claimed(backend);
      await backend.failWorkflowRun({ workflowRunId: failed.run.id, workerId: failed.workerId, error: { message: 'x' }, retryPolicy: POLICY });
      await assert.rejects(backend.cancelWorkflowRun({ workflowRunId: failed.run.id }), { code: 'FLOWSTORE_CONFLICT', message: /with status failed$/ });
      const unknown = randomUUID();
      await assert.rejects(backend.cancelWorkflowRun({ workflowRunId: unknown }), { code: 'FLOWSTORE_NOT_FOUND', message: `Workflow run ${unknown} does not exist` });
    });

    test('a step attempt is exactly a StepAttempt, made only by the worker that holds the run', async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend);
      const attempt = await step(backend, run.id, workerId, { stepName: 'charge', config: { retries: 1 }, context: { kind: 'sleep', resumeAt: '2030-01-01T00:00:00.000Z' } });
      assert.deepEqual(Object.keys(attempt).sort(), STEP_FIELDS);
      assert.match(attempt.id, UUID);
      assert.deepEqual([attempt.workflowRunId, attempt.stepName, attempt.kind, attempt.status, attempt.output, attempt.error, attempt.finishedAt],
        [run.id, 'charge', 'function', 'running', null, null, null]);
      assert.deepEqual(attempt.context, { kind: 'sleep', resumeAt: '2030-01-01T00:00:00.000Z' });
      assert.equal(attempt.startedAt?.getTime(), attempt.createdAt.getTime());
      assert.deepEqual(await backend.getStepAttempt({ stepAttemptId: attempt.id }), attempt);
      assert.equal(await backend.getStepAttempt({ stepAttemptId: randomUUID() }), null);
      await assert.rejects(step(backend, run.id, 'not-the-worker'), { code: 'FLOWSTORE_CONFLICT', message: 'Failed to create step attempt' });
      await backend.sleepWorkflowRun({ workflowRunId: run.id, workerId, availableAt: new Date(Date.now() + 60_000) });
      await assert.rejects(step(backend, run.id, workerId), { message: 'Failed to create step attempt' }, 'not after the run was parked');
    });

    test("a step attempt's child link is set while the step runs, by the run's worker", async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend);
      const attempt = await step(backend, run.id, workerId, { kind: 'workflow' });
      const child = await backend.createWorkflowRun(params());
      const linked = await backend.setStepAttemptChildWorkflowRun({ workflowRunId: run.id, stepAttemptId: attempt.id, workerId,
        childWorkflowRunNamespaceId: backend.namespaceId, childWorkflowRunId: child.id });
      assert.deepEqual([linked.childWorkflowRunNamespaceId, linked.childWorkflowRunId], [backend.namespaceId, child.id]);
      await assert.rejects(backend.setStepAttemptChildWorkflowRun({ workflowRunId: run.id, stepAttemptId: attempt.id, workerId: 'other',
        childWorkflowRunNamespaceId: backend.namespaceId, childWorkflowRunId: child.id }), { code: 'FLOWSTORE_CONFLICT', message: 'Failed to set step attempt child workflow run' });
      await backend.completeStepAttempt({ workflowRunId: run.id, stepAttemptId: attempt.id, workerId, output: null });
      await assert.rejects(backend.setStepAttemptChildWorkflowRun({ workflowRunId: run.id, stepAttemptId: attempt.id, workerId,
        childWorkflowRunNamespaceId: backend.namespaceId, childWorkflowRunId: child.id }), { message: 'Failed to set step attempt child workflow run' });
    });

    test("a run's step attempts list oldest first, in pages, an exact page saying no more", async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend);
      assert.deepEqual(await backend.listStepAttempts({ workflowRunId: run.id }), { data: [], pagination: { next: null, prev: null } });
      const now = Date.now();
      t.mock.method(Date, 'now', () => now);
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await step(backend, run.id, workerId));
      t.mock.restoreAll();
      const ids = made.map((s) => s.id).sort();
      assert.deepEqual((await backend.listStepAttempts({ workflowRunId: run.id })).data.map((s) => s.id), ids, 'same millisecond: by id');
      const first = await backend.listStepAttempts({ workflowRunId: run.id, limit: 2 });
      const second = await backend.listStepAttempts({ workflowRunId: run.id, limit: 2, after: first.pagination.next! });
      const third = await backend.listStepAttempts({ workflowRunId: run.id, limit: 2, after: second.pagination.next! });
      assert.deepEqual([...first.data, ...second.data, ...third.data].map((s) => s.id), ids);
      assert.equal(third.pagination.next, null);
      const back = await backend.listStepAttempts({ workflowRunId: run.id, limit: 2, before: second.pagination.prev! });
      assert.deepEqual(back.data.map((s) => s.id), ids.slice(0, 2));
      const exact = await backend.listStepAttempts({ workflowRunId: run.id, limit: 5 });
      assert.deepEqual([exact.data.length, exact.pagination.next], [5, null]);
    });

    test('step attempts complete or fail once, by the worker that holds the run', async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend);
      const a = await step(backend, run.id, workerId);
      const done = await backend.completeStepAttempt({ workflowRunId: run.id, stepAttemptId: a.id, workerId, output: { n: 1 } });
      assert.deepEqual([done.status, done.output, done.error], ['completed', { n: 1 }, null]);
      assert.ok(done.finishedAt);
      const again = await backend.completeStepAttempt({ workflowRunId: run.id, stepAttemptId: a.id, workerId, output: { n: 2 } });
      assert.deepEqual(again, done, 'completing again keeps the first result');
      const b = await step(backend, run.id, workerId);
      const failed = await backend.failStepAttempt({ workflowRunId: run.id, stepAttemptId: b.id, workerId, error: { message: 'nope' } });
      assert.deepEqual([failed.status, failed.output, failed.error], ['failed', null, { message: 'nope' }]);
      await assert.rejects(backend.completeStepAttempt({ workflowRunId: run.id, stepAttemptId: randomUUID(), workerId, output: null }),
        { code: 'FLOWSTORE_CONFLICT', message: 'Failed to mark step attempt completed' });
      await assert.rejects(backend.failStepAttempt({ workflowRunId: run.id, stepAttemptId: randomUUID(), workerId, error: { message: 'x' } }),
        { code: 'FLOWSTORE_CONFLICT', message: 'Failed to mark step attempt failed' });
      const c = await step(backend, run.id, workerId);
      await backend.sleepWorkflowRun({ workflowRunId: run.id, workerId, availableAt: new Date(Date.now() + 60_000) });
      await assert.rejects(backend.completeStepAttempt({ workflowRunId: run.id, stepAttemptId: c.id, workerId, output: null }),
        { message: 'Failed to mark step attempt completed' }, 'the run is no longer held');
      await assert.rejects(backend.failStepAttempt({ workflowRunId: run.id, stepAttemptId: c.id, workerId, error: { message: 'x' } }),
        { message: 'Failed to mark step attempt failed' });
    });

    test('signals: delivered at most once to each waiting step, fanned out, woken, idempotent by key', async (t) => {
      const backend = await open(t);
      assert.deepEqual(await backend.sendSignal({ signal: 'nobody', data: 1, idempotencyKey: null }), { workflowRunIds: [] });
      const waitOn = async (signal: string) => {
        const { run, workerId } = await claimed(backend);
        const waiter = await step(backend, run.id, workerId, { kind: 'signal-wait', context: { kind: 'signal-wait', signal, timeoutAt: new Date(Date.now() + 60_000).toISOString() } });
        await backend.sleepWorkflowRun({ workflowRunId: run.id, workerId, availableAt: new Date(Date.now() + 3_600_000) });
        return { run, waiter };
      };
      const one = await waitOn('approved');
      assert.equal(await backend.getSignalDelivery({ stepAttemptId: one.waiter.id }), undefined, 'nothing delivered yet');
      const sent = await backend.sendSignal({ signal: 'approved', data: { by: 'ann' }, idempotencyKey: null });
      assert.deepEqual(sent, { workflowRunIds: [one.run.id] });
      assert.deepEqual(await backend.getSignalDelivery({ stepAttemptId: one.waiter.id }), { by: 'ann' });
      assert.ok((await backend.getWorkflowRun({ workflowRunId: one.run.id }))!.availableAt!.getTime() <= Date.now(), 'the parked run is due');
      assert.deepEqual(await backend.sendSignal({ signal: 'approved', data: { by: 'bob' }, idempotencyKey: null }), { workflowRunIds: [] }, 'at most once');
      assert.deepEqual(await backend.getSignalDelivery({ stepAttemptId: one.waiter.id }), { by: 'ann' });

      const a = await waitOn('fan');
      const b = await waitOn('fan');
      const fanned = await backend.sendSignal({ signal: 'fan', data: null, idempotencyKey: 'send-1' });
      assert.deepEqual(fanned.workflowRunIds.sort(), [a.run.id, b.run.id].sort());
      assert.equal(await backend.getSignalDelivery({ stepAttemptId: a.waiter.id }), null, 'null data is delivered as null');
      const c = await waitOn('fan');
      const repeated = await backend.sendSignal({ signal: 'fan', data: 'other', idempotencyKey: 'send-1' });
      assert.deepEqual(repeated.workflowRunIds.sort(), fanned.workflowRunIds.sort(), 'the same send answers the same');
      assert.equal(await backend.getSignalDelivery({ stepAttemptId: c.waiter.id }), undefined, 'and delivers nothing new');
      const rows = await backend.store.query(place.path === 'postgres:test'
        ? 'SELECT count(*)::int AS n FROM openworkflow_signals WHERE namespace_id = $1 AND sender_idempotency_key = $2'
        : 'SELECT count(*) AS n FROM openworkflow_signals WHERE namespace_id = ? AND sender_idempotency_key = ?', [backend.namespaceId, 'send-1']);
      assert.equal(rows[0]!.n, 2);
    });

    test('a signal that arrives before its run parks makes the park end at once', async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend);
      const waiter = await step(backend, run.id, workerId, { kind: 'signal-wait', context: { kind: 'signal-wait', signal: 'early', timeoutAt: new Date(Date.now() + 60_000).toISOString() } });
      assert.deepEqual(await backend.sendSignal({ signal: 'early', data: 7, idempotencyKey: null }), { workflowRunIds: [run.id] });
      assert.equal((await backend.getWorkflowRun({ workflowRunId: run.id }))!.workerId, workerId, 'a held run is not touched');
      const parked = await backend.sleepWorkflowRun({ workflowRunId: run.id, workerId, availableAt: new Date(Date.now() + 3_600_000) });
      assert.ok(parked.availableAt!.getTime() <= Date.now());
      assert.equal(await backend.getSignalDelivery({ stepAttemptId: waiter.id }), 7);
    });

    test('namespaces: a backend without one uses OpenWorkflow\'s default; backends in different namespaces never meet', async (t) => {
      const store: Store = await tempStore(t, { path: place.path });
      assert.equal(DEFAULT_NAMESPACE_ID, OW_NAMESPACE);
      const plain = new FlowstoreBackend(store);
      assert.equal(plain.namespaceId, OW_NAMESPACE);
      const mine = new FlowstoreBackend(store, { namespaceId: 'mine' });
      await mine.createWorkflowRun(params());
      assert.equal(await plain.claimWorkflowRun({ workerId: 'w', leaseDurationMs: 1000 }), null);
      assert.equal((await mine.claimWorkflowRun({ workerId: 'w', leaseDurationMs: 1000 }))?.namespaceId, 'mine');
      assert.throws(() => new FlowstoreBackend(store, { namespaceId: '' }), { code: 'FLOWSTORE_INVALID_OPTIONS' });
      assert.throws(() => new FlowstoreBackend(store, { nameSpace: 'x' } as never), { code: 'FLOWSTORE_INVALID_OPTIONS' });
      await plain.stop();
      assert.equal(store.closed, false, 'stop() leaves a shared store open');
    });

    test("a claimed run's history, read with the claim, is what its worker lists next; and only then", async (t) => {
      const backend = await open(t);
      const first = await claimed(backend);
      const done = await step(backend, first.run.id, first.workerId, { stepName: 'done' });
      await backend.completeStepAttempt({ workflowRunId: first.run.id, stepAttemptId: done.id, workerId: first.workerId, output: 'kept' });
      const broken = await step(backend, first.run.id, first.workerId, { stepName: 'broken' });
      await backend.failStepAttempt({ workflowRunId: first.run.id, stepAttemptId: broken.id, workerId: first.workerId, error: { message: 'x' } });
      await backend.rescheduleWorkflowRunAfterFailedStepAttempt({ workflowRunId: first.run.id, workerId: first.workerId, error: { message: 'x' }, availableAt: new Date() });
      const again = await backend.claimWorkflowRun({ workerId: 'second', leaseDurationMs: 60_000 });
      assert.equal(again?.id, first.run.id);
      const other = beside(backend, backend.namespaceId);   // no claim of its own: reads the store
      const stored = await other.listStepAttempts({ workflowRunId: first.run.id });
      assert.deepEqual(await backend.listStepAttempts({ workflowRunId: first.run.id }), stored);
      // In (createdAt, id) order: two made in the same millisecond go by id.
      const inOrder = (attempts: { id: string; createdAt: Date }[]) => [...attempts]
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1)).map((a) => a.id);
      assert.deepEqual(stored.data.map((a) => a.id), inOrder([done, broken]));
      assert.deepEqual(stored.data.map((a) => [a.stepName, a.status]).sort(), [['broken', 'failed'], ['done', 'completed']]);
      const third = await step(backend, first.run.id, 'second', { stepName: 'broken' });
      assert.deepEqual((await backend.listStepAttempts({ workflowRunId: first.run.id })).data.map((a) => a.id), inOrder([done, broken, third]));
    });

    test('calls sent together settle apart: one refused, the others done', async (t) => {
      const backend = await open(t);
      const { run, workerId } = await claimed(backend);
      const [good, refused] = await Promise.allSettled([step(backend, run.id, workerId), step(backend, run.id, 'intruder')]);
      assert.equal(good.status, 'fulfilled');
      assert.equal(refused.status, 'rejected');
      assert.equal((refused as PromiseRejectedResult).reason.code, 'FLOWSTORE_CONFLICT');
      assert.equal((refused as PromiseRejectedResult).reason.message, 'Failed to create step attempt');
      const results = await Promise.allSettled([
        backend.completeStepAttempt({ workflowRunId: run.id, stepAttemptId: (good as PromiseFulfilledResult<{ id: string }>).value.id, workerId, output: 1 }),
        backend.completeStepAttempt({ workflowRunId: run.id, stepAttemptId: randomUUID(), workerId, output: 2 }),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
    });

    test('claims made at once by many workers share commits, and no run is held twice', async (t) => {
      const backend = await open(t);
      for (let i = 0; i < 64; i++) await backend.createWorkflowRun(params());
      const before = await backend.store.metrics();
      const runs = await Promise.all(Array.from({ length: 64 }, (_, i) => backend.claimWorkflowRun({ workerId: `w${i}`, leaseDurationMs: 60_000 })));
      const after2 = await backend.store.metrics();
      assert.equal(new Set(runs.map((r) => r!.id)).size, 64);
      assert.ok(after2.writeBatches - before.writeBatches < 64 / 4, `64 claims in ${after2.writeBatches - before.writeBatches} commits`);
    });
  });
}

for (const place of BACKENDS.filter((b) => b.name !== ':memory:')) {
  test(`two stores on one ${place.name} (two hosts) claiming at once never hold one run both`, async (t) => {
    const where = await tempLocation(t, place.path);
    const hosts = await Promise.all([0, 1].map(async () => {
      const store = await openStore({ ...where, readers: 1 });
      cleanup(t, () => store.close());
      return new FlowstoreBackend(store, { namespaceId: 'shared' });
    }));
    const runs = 120;
    for (let i = 0; i < runs; i += 40) await Promise.all(Array.from({ length: 40 }, () => hosts[0]!.createWorkflowRun(params())));
    const claimedBy = await Promise.all(hosts.map(async (host, h) => {
      const ids: string[] = [];
      for (;;) {
        const batch = await Promise.all(Array.from({ length: 16 }, (_, i) => host.claimWorkflowRun({ workerId: `h${h}-${i}`, leaseDurationMs: 60_000 })));
        const got = batch.filter((r) => r !== null);
        if (got.length === 0) return ids;
        ids.push(...got.map((r) => r.id));
      }
    }));
    const all = claimedBy.flat();
    assert.equal(new Set(all).size, all.length, 'no run claimed twice');
    assert.equal(all.length, runs);
  });
}

describe('FlowstoreBackend options and lifecycle', () => {
  test('open() with a path opens a store of its own that stop() closes; with { store } it leaves the store open', async (t) => {
    const own = await FlowstoreBackend.open({ path: ':memory:', readers: 1, namespaceId: 'n1' });
    assert.equal(own.namespaceId, 'n1');
    await own.createWorkflowRun(params());
    await own.stop();
    assert.equal(own.store.closed, true);
    await assert.rejects(own.countWorkflowRuns(), { code: 'FLOWSTORE_CLOSED' });
    const store = await tempStore(t, { path: ':memory:' });
    const shared = await FlowstoreBackend.open({ store });
    assert.equal(shared.namespaceId, DEFAULT_NAMESPACE_ID);
    await shared.stop();
    assert.equal(store.closed, false);
  });

  test('options are strict: a misspelled, empty or too long namespace, or an unknown option, is FLOWSTORE_INVALID_OPTIONS before anything opens', async (t) => {
    await assert.rejects(FlowstoreBackend.open({ path: ':memory:', namespaceId: '' }), { code: 'FLOWSTORE_INVALID_OPTIONS' });
    await assert.rejects(FlowstoreBackend.open({ path: ':memory:', namespaceId: 'x'.repeat(513) }), { code: 'FLOWSTORE_INVALID_OPTIONS' });
    await assert.rejects(FlowstoreBackend.open({ path: ':memory:', nameSpaceId: 'x' } as never), { code: 'FLOWSTORE_INVALID_OPTIONS' });
    const store = await tempStore(t, { path: ':memory:' });
    await assert.rejects(FlowstoreBackend.open({ store, bogus: 1 } as never), { code: 'FLOWSTORE_INVALID_OPTIONS' });
  });
});
