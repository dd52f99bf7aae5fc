/**
 * The OpenWorkflow domain's operations, declared once and run by the workers by name. A
 * run is held by the worker that claimed it (`worker_id`) until its lease (`available_at`)
 * ends; every call a worker makes for a run it no longer holds changes nothing and rejects
 * with the message OpenWorkflow's own backends use, which its worker and tests match.
 */
import { randomUUID } from 'node:crypto';
import { FlowstoreError } from '../../errors.ts';
export type { Outcome } from './handlers.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { defineDomain, opsOf } from '../../engine/op.ts';
import { DEADLINE_EXCEEDED, failure } from './failure.ts';
import {
  claimOne, completeOne, completeStepOne, createStepOne, each, finishEach, FIRST, required, wakeKey, wakeParent, type Outcome,
} from './handlers.ts';
import { prepareOpenWorkflow as prepareSqlite } from './sqlite.ts';
import { prepareOpenWorkflow as preparePostgres } from './postgres.ts';
import { toCounts, toRun, toStep, type OpenWorkflowCounts, type OpenWorkflowRun, type OpenWorkflowStep } from './rows.ts';
import type { OpenWorkflowStatements, RunFilter, RunRow, StepRow } from './statements.ts';
import type * as Schemas from './schema.ts';

const op = opsOf<OpenWorkflowStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');

/** Step attempts a claim reads with its run: OpenWorkflow's step limit, the most one run may have. */
export const PREFETCHED_STEPS = 1000;

type WorkWire = { kind: 'claim'; value: { run: RunRow; steps: StepRow[] } | null } | { kind: 'step'; value: StepRow } | { kind: 'run'; value: RunRow };

/** What one item of `work` gives: a claim its run with the run's first step attempts (or null), the others their row. */
export type WorkResult = ClaimedRun | null | OpenWorkflowStep | OpenWorkflowRun;

/** A claimed run and its step attempts, oldest first (more than `PREFETCHED_STEPS` of them: there are more). */
export interface ClaimedRun { run: OpenWorkflowRun; steps: OpenWorkflowStep[] }

/** A page's rows (one more than asked, when more follow) and which way they were read. */
export interface PageWire<R> { rows: R[]; newest: boolean }

export const openworkflow = defineDomain('openworkflow', { sqlite: prepareSqlite, postgres: preparePostgres }, {
  /** A new pending run, or the run already made under its idempotency key since the cutoff. */
  createRun: op({
    kind: 'write',
    input: s.createRunInput,
    async run({ sql }, i): Promise<RunRow> {
      if (i.idempotencyKey !== null) {
        await sql.lock(`openworkflow:run:${i.namespaceId}:${i.workflowName}:${i.idempotencyKey}`);
        const existing = (await sql.runByKey.get(i.namespaceId, i.workflowName, i.idempotencyKey, i.cutoff)) as RunRow | undefined;
        if (existing) return existing;
      }
      return required((await sql.insertRun.get(i.namespaceId, i.id, i.workflowName, i.version, i.idempotencyKey, i.config, i.context, i.input,
        i.parentStepAttemptNamespaceId, i.parentStepAttemptId, i.availableAt ?? i.now, i.deadlineAt, i.now)) as RunRow | undefined, 'create workflow run');
    },
    finish: toRun,
  }),

  getRun: op({
    kind: 'read',
    input: s.runRef,
    async run({ sql }, { namespaceId, id }): Promise<RunRow | null> {
      return ((await sql.run.get(namespaceId, id)) as RunRow | undefined) ?? null;
    },
    finish: (row: RunRow | null): OpenWorkflowRun | null => (row === null ? null : toRun(row)),
  }),

  listRuns: op({
    kind: 'read',
    input: s.listRunsInput,
    async run({ sql }, { namespaceId, status, workflowName, cursor, limit }): Promise<PageWire<RunRow>> {
      const newest = cursor?.newest ?? true;
      const from = cursor ?? FIRST[newest ? 'newest' : 'oldest'];
      const filter: RunFilter = status && workflowName ? 'byBoth' : status ? 'byStatus' : workflowName ? 'byWorkflow' : 'all';
      const by = [namespaceId, ...(status ? [status] : []), ...(workflowName ? [workflowName] : [])];
      const rows = (await sql.runs[newest ? 'newest' : 'oldest'][filter].all(...by, from.createdAt, from.id, limit)) as RunRow[];
      return { rows, newest };
    },
    finish: ({ rows, newest }: PageWire<RunRow>): PageWire<OpenWorkflowRun> => ({ rows: rows.map(toRun), newest }),
  }),

  countRuns: op({
    kind: 'read',
    input: s.countInput,
    async run({ sql }, { namespaceId }): Promise<{ status: string; n: number }[]> {
      return (await sql.counts.all(namespaceId)) as { status: string; n: number }[];
    },
    finish: (rows: { status: string; n: number }[]): OpenWorkflowCounts => toCounts(rows),
  }),

  /**
   * Fails the live runs past their deadline, then takes the first due pending run, else the
   * first running one whose lease ended (or that was parked until now). Claims of one
   * process's workers arrive together and share the writer's commit.
   */
  claim: op({
    kind: 'write',
    input: s.claimInput,
    async run({ sql }, input): Promise<RunRow | null> {
      await sql.expireDeadlines.run(input.namespaceId, input.now, DEADLINE_EXCEEDED);
      return claimOne(sql, input);
    },
    finish: (row: RunRow | null): OpenWorkflowRun | null => (row === null ? null : toRun(row)),
  }),

  /**
   * What a worker asks most, many calls at once, of every kind together: claims (each
   * claimed run with its first step attempts, up to `PREFETCHED_STEPS` and one more to say
   * whether there are more: the history its worker reads next, read in the same trip),
   * step attempts, step results and run completions. Deadlines are swept once per
   * namespace before the claims. On PostgreSQL every item's statements go out together.
   */
  work: op({
    kind: 'write',
    input: s.workInput,
    run({ sql }, { items }): Promise<Outcome<WorkWire>[]> {
      const sweeps = new Map<string, number>();
      for (const item of items) if (item.kind === 'claim' && !sweeps.has(item.input.namespaceId)) sweeps.set(item.input.namespaceId, item.input.now);
      // Not awaited: on PostgreSQL the claims go out right behind it, and the server runs them in that order.
      for (const [namespaceId, now] of sweeps) void sql.expireDeadlines.run(namespaceId, now, DEADLINE_EXCEEDED);
      return each(items, async (item): Promise<WorkWire> => {
        switch (item.kind) {
          case 'claim': {
            const run = await claimOne(sql, item.input);
            if (run === null) return { kind: 'claim', value: null };
            const steps = (await sql.steps.oldest.all(run.namespace_id, run.id, FIRST.oldest.createdAt, FIRST.oldest.id, PREFETCHED_STEPS + 1)) as StepRow[];
            return { kind: 'claim', value: { run, steps } };
          }
          case 'createStep': return { kind: 'step', value: await createStepOne(sql, item.input) };
          case 'completeStep': return { kind: 'step', value: await completeStepOne(sql, item.input) };
          case 'complete': return { kind: 'run', value: await completeOne(sql, item.input) };
        }
      });
    },
    finish: finishEach((wire: WorkWire): WorkResult => {
      switch (wire.kind) {
        case 'claim': return wire.value === null ? null : { run: toRun(wire.value.run), steps: wire.value.steps.map(toStep) };
        case 'step': return toStep(wire.value);
        case 'run': return toRun(wire.value);
      }
    }),
  }),

  extendLease: op({
    kind: 'write',
    input: s.extendInput,
    async run({ sql }, { namespaceId, id, workerId, leaseMs, now }): Promise<RunRow> {
      return required((await sql.extendLease.get(namespaceId, id, workerId, now + leaseMs, now)) as RunRow | undefined, 'extend lease for workflow run');
    },
    finish: toRun,
  }),

  sleep: op({
    kind: 'write',
    input: s.sleepInput,
    async run({ sql }, { namespaceId, id, workerId, availableAt, now }): Promise<RunRow> {
      // After the lock, the statement sees a wake-up another host committed meanwhile; one that comes later sees the run parked.
      await sql.lock(wakeKey(namespaceId, id));
      return required((await sql.sleep.get(namespaceId, id, workerId, availableAt, now)) as RunRow | undefined, 'sleep workflow run');
    },
    finish: toRun,
  }),

  complete: op({
    kind: 'write',
    input: s.completeInput,
    run: ({ sql }, input): Promise<RunRow> => completeOne(sql, input),
    finish: toRun,
  }),

  fail: op({
    kind: 'write',
    input: s.failInput,
    async run({ sql }, i): Promise<RunRow> {
      let { attempts, deadlineAt } = i;
      if (attempts === undefined || deadlineAt === undefined) {
        const current = (await sql.run.get(i.namespaceId, i.id)) as RunRow | undefined;
        if (!current) throw new FlowstoreError('FLOWSTORE_NOT_FOUND', 'Workflow run not found');
        attempts = Number(current.attempts);
        deadlineAt = current.deadline_at === null ? null : Number(current.deadline_at);
      }
      const next = failure(i.retryPolicy, attempts, deadlineAt, i.error, i.now);
      const run = required((await sql.fail.get(i.namespaceId, i.id, i.workerId, next.status, next.availableAt, next.finishedAt, next.error, i.now)) as
        RunRow | undefined, 'mark workflow run failed');
      if (run.status === 'failed') await wakeParent(sql, run, i.now);
      return run;
    },
    finish: toRun,
  }),

  reschedule: op({
    kind: 'write',
    input: s.rescheduleInput,
    async run({ sql }, { namespaceId, id, workerId, availableAt, error, now }): Promise<RunRow> {
      const run = (await sql.reschedule.get(namespaceId, id, workerId, availableAt, error, now)) as RunRow | undefined;
      if (!run) throw new FlowstoreError('FLOWSTORE_CONFLICT', 'Failed to reschedule workflow run after failed step attempt');
      return run;
    },
    finish: toRun,
  }),

  /** Idempotent: a canceled run is answered as it is; a finished one is refused. */
  cancel: op({
    kind: 'write',
    input: s.cancelInput,
    async run({ sql }, { namespaceId, id, now }): Promise<RunRow> {
      const run = (await sql.cancel.get(namespaceId, id, now)) as RunRow | undefined;
      if (run) {
        await wakeParent(sql, run, now);
        return run;
      }
      const existing = (await sql.run.get(namespaceId, id)) as RunRow | undefined;
      if (!existing) throw new FlowstoreError('FLOWSTORE_NOT_FOUND', `Workflow run ${id} does not exist`);
      if (existing.status === 'canceled') return existing;
      throw new FlowstoreError('FLOWSTORE_CONFLICT', `Cannot cancel workflow run ${id} with status ${existing.status}`, { details: { status: existing.status } });
    },
    finish: toRun,
  }),

  createStep: op({
    kind: 'write',
    input: s.createStepInput,
    run: ({ sql }, input): Promise<StepRow> => createStepOne(sql, input),
    finish: toStep,
  }),

  getStep: op({
    kind: 'read',
    input: s.stepRef,
    async run({ sql }, { namespaceId, id }): Promise<StepRow | null> {
      return ((await sql.step.get(namespaceId, id)) as StepRow | undefined) ?? null;
    },
    finish: (row: StepRow | null): OpenWorkflowStep | null => (row === null ? null : toStep(row)),
  }),

  listSteps: op({
    kind: 'read',
    input: s.listStepsInput,
    async run({ sql }, { namespaceId, workflowRunId, cursor, limit }): Promise<PageWire<StepRow>> {
      const newest = cursor?.newest ?? false;
      const from = cursor ?? FIRST[newest ? 'newest' : 'oldest'];
      const rows = (await sql.steps[newest ? 'newest' : 'oldest'].all(namespaceId, workflowRunId, from.createdAt, from.id, limit)) as StepRow[];
      return { rows, newest };
    },
    finish: ({ rows, newest }: PageWire<StepRow>): PageWire<OpenWorkflowStep> => ({ rows: rows.map(toStep), newest }),
  }),

  setChild: op({
    kind: 'write',
    input: s.setChildInput,
    async run({ sql }, i): Promise<StepRow> {
      return required((await sql.setChild.get(i.namespaceId, i.workflowRunId, i.id, i.workerId, i.childNamespaceId, i.childId, i.now)) as
        StepRow | undefined, 'set step attempt child workflow run');
    },
    finish: toStep,
  }),

  completeStep: op({
    kind: 'write',
    input: s.completeStepInput,
    run: ({ sql }, input): Promise<StepRow> => completeStepOne(sql, input),
    finish: toStep,
  }),

  failStep: op({
    kind: 'write',
    input: s.failStepInput,
    async run({ sql }, i): Promise<StepRow> {
      return required((await sql.failStep.get(i.namespaceId, i.workflowRunId, i.id, i.workerId, i.error, i.now)) as StepRow | undefined,
        'mark step attempt failed');
    },
    finish: toStep,
  }),

  /**
   * Delivers a signal to every step waiting for it, at most once each, and makes their
   * parked runs due now. A send with an idempotency key that was made before answers with
   * the runs that send reached, delivering nothing again.
   */
  sendSignal: op({
    kind: 'write',
    input: s.sendSignalInput,
    async run({ sql }, { namespaceId, signal, data, idempotencyKey, now }): Promise<string[]> {
      if (idempotencyKey !== null) {
        await sql.lock(`openworkflow:signal:${namespaceId}:${signal}:${idempotencyKey}`);
        const sent = (await sql.sentBefore.all(namespaceId, signal, idempotencyKey)) as { workflow_run_id: string }[];
        if (sent.length > 0) return sent.map((row) => row.workflow_run_id);
      }
      const waiters = (await sql.waiters.all(namespaceId, signal)) as { id: string; workflow_run_id: string }[];
      // In one order, so that two sends never wait for each other's locks.
      for (const runId of [...new Set(waiters.map((w) => w.workflow_run_id))].sort()) await sql.lock(wakeKey(namespaceId, runId));
      const reached = new Set<string>();
      for (const waiter of waiters) {
        const delivered = await sql.deliver.get(namespaceId, randomUUID(), signal, data, idempotencyKey, waiter.workflow_run_id, waiter.id, now);
        if (delivered) reached.add(waiter.workflow_run_id);
      }
      for (const runId of reached) await sql.wakeRun.run(namespaceId, runId, now);
      return [...reached];
    },
  }),

  /** The data delivered to a signal-wait step: undefined before any delivery. */
  signalDelivery: op({
    kind: 'read',
    input: s.stepRef,
    async run({ sql }, { namespaceId, id }): Promise<{ data: string | null } | null> {
      return ((await sql.delivery.get(namespaceId, id)) as { data: string | null } | undefined) ?? null;
    },
    finish: (row: { data: string | null } | null): unknown => (row === null ? undefined : row.data === null ? null : JSON.parse(row.data)),
  }),
});
