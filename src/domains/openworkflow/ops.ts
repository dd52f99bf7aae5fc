/**
 * The OpenWorkflow domain's operations, declared once and run by the workers by name. A
 * run is held by the worker that claimed it (`worker_id`) until its lease (`available_at`)
 * ends; every call a worker makes for a run it no longer holds changes nothing and rejects
 * with the message OpenWorkflow's own backends use, which its worker and tests match.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { FlowstoreError, isFlowstoreError, type ErrorCode } from '../../errors.ts';
import { defineDomain, opsOf } from '../../engine/op.ts';
import { prepareOpenWorkflow as prepareSqlite } from './sqlite.ts';
import { prepareOpenWorkflow as preparePostgres } from './postgres.ts';
import { toCounts, toRun, toStep, type OpenWorkflowCounts, type OpenWorkflowRun, type OpenWorkflowStep } from './rows.ts';
import type { OpenWorkflowStatements, RunFilter, RunRow, StepRow } from './statements.ts';
import {
  cancelInput, claimInput, completeInput, completeStepInput, countInput, createRunInput, createStepInput, extendInput, failInput, failStepInput,
  listRunsInput, listStepsInput, manyOf, rescheduleInput, runRef, sendSignalInput, setChildInput, sleepInput, stepRef, type RetryPolicyMs,
} from './schema.ts';

const op = opsOf<OpenWorkflowStatements>();

const DEADLINE_EXCEEDED = JSON.stringify({ message: 'Workflow run deadline exceeded' });
/** Before every row, whichever way a first page goes. */
const FIRST = { newest: { createdAt: Number.MAX_SAFE_INTEGER, id: '' }, oldest: { createdAt: Number.MIN_SAFE_INTEGER, id: '' } };

/** What OpenWorkflow's backends throw when a mutation matched no row: `Failed to <what>`. */
function refused(what: string): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_CONFLICT', `Failed to ${what}`);
}

function required<R>(row: R | undefined, what: string): R {
  if (row === undefined) throw refused(what);
  return row;
}

/** The run's parent, parked on the step that started it, is due now. */
async function wakeParent(sql: OpenWorkflowStatements, run: RunRow, now: number): Promise<void> {
  if (run.parent_step_attempt_namespace_id === null || run.parent_step_attempt_id === null) return;
  await sql.wakeParent.run(now, run.parent_step_attempt_namespace_id, run.parent_step_attempt_id, run.namespace_id, run.id);
}

/** Capped exponential backoff after failed attempt `attempt` (from 1); no jitter, as OpenWorkflow's policy says. */
export function backoffMs(policy: RetryPolicyMs, attempt: number): number {
  return Math.min(policy.initialMs * policy.coefficient ** Math.max(0, attempt - 1), policy.maximumMs);
}

/** What a failed attempt makes of a run: pending again after the backoff, or failed (past its attempts or its deadline). */
export function failure(policy: RetryPolicyMs, attempts: number, deadlineAt: number | null, error: string, now: number) {
  const failed = (finalError: string) => ({ status: 'failed', availableAt: null, finishedAt: now, error: finalError });
  if (deadlineAt !== null && now >= deadlineAt) return failed(DEADLINE_EXCEEDED);
  if (policy.maximumAttempts > 0 && attempts >= policy.maximumAttempts) return failed(error);
  const retryAt = now + backoffMs(policy, attempts);
  if (deadlineAt !== null && retryAt >= deadlineAt) return failed(error);
  return { status: 'pending', availableAt: retryAt, finishedAt: null, error };
}

/** What one item of a many-op became: its row, or the refusal the single op would have thrown. */
export type Outcome<R> = { readonly row: R } | { readonly code: ErrorCode; readonly message: string };

/**
 * Runs `one` for every item at once: on PostgreSQL each item's statements go out without
 * waiting for the item before (one round trip for them all, where ops one by one would
 * take one each); on SQLite they run one after the other as always. A refusal stays the
 * item's; any other error fails the operation.
 */
function each<I, R>(items: readonly I[], one: (item: I) => Promise<R>): Promise<Outcome<R>[]> {
  return Promise.all(items.map((item) => one(item).then((row): Outcome<R> => ({ row }), (error: unknown): Outcome<R> => {
    if (isFlowstoreError(error) && (error.code === 'FLOWSTORE_CONFLICT' || error.code === 'FLOWSTORE_NOT_FOUND')) return { code: error.code, message: error.message };
    throw error;
  })));
}

const finishEach = <R, O>(map: (row: R) => O) => (outcomes: Outcome<R>[]): Outcome<O>[] =>
  outcomes.map((o) => ('row' in o ? { row: map(o.row) } : o));

type ClaimItem = z.output<typeof claimInput>;

/** The first due pending run, else the first running one whose lease ended (or that was parked until now). */
async function claimOne(sql: OpenWorkflowStatements, { namespaceId, workerId, leaseMs, now }: ClaimItem): Promise<RunRow | null> {
  const leaseUntil = now + leaseMs;
  const pending = (await sql.claimPending.get(namespaceId, now, workerId, leaseUntil)) as RunRow | undefined;
  if (pending) return pending;
  return ((await sql.claimDue.get(namespaceId, now, workerId, leaseUntil)) as RunRow | undefined) ?? null;
}

async function createStepOne(sql: OpenWorkflowStatements, i: z.output<typeof createStepInput>): Promise<StepRow> {
  return required((await sql.insertStep.get(i.namespaceId, i.workflowRunId, i.workerId, i.id, i.stepName, i.kind, i.config, i.context,
    i.kind === 'signal-wait' ? i.signal : null, i.now)) as StepRow | undefined, 'create step attempt');
}

async function completeStepOne(sql: OpenWorkflowStatements, i: z.output<typeof completeStepInput>): Promise<StepRow> {
  return required((await sql.completeStep.get(i.namespaceId, i.workflowRunId, i.id, i.workerId, i.output, i.now)) as StepRow | undefined,
    'mark step attempt completed');
}

async function completeOne(sql: OpenWorkflowStatements, { namespaceId, id, workerId, output, now }: z.output<typeof completeInput>): Promise<RunRow> {
  const run = required((await sql.complete.get(namespaceId, id, workerId, output, now)) as RunRow | undefined, 'mark workflow run completed');
  await wakeParent(sql, run, now);
  return run;
}

/** Step attempts a claim reads with its run: OpenWorkflow's step limit, the most one run may have. */
export const PREFETCHED_STEPS = 1000;

interface ClaimedWire { run: RunRow; steps: StepRow[] }

/** A claimed run and its step attempts, oldest first (more than `PREFETCHED_STEPS` of them: there are more). */
export interface ClaimedRun { run: OpenWorkflowRun; steps: OpenWorkflowStep[] }

/** A page's rows (one more than asked, when more follow) and which way they were read. */
export interface PageWire<R> { rows: R[]; newest: boolean }

export const openworkflow = defineDomain('openworkflow', { sqlite: prepareSqlite, postgres: preparePostgres }, {
  /** A new pending run, or the run already made under its idempotency key since the cutoff. */
  createRun: op({
    kind: 'write',
    input: createRunInput,
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
    input: runRef,
    async run({ sql }, { namespaceId, id }): Promise<RunRow | null> {
      return ((await sql.run.get(namespaceId, id)) as RunRow | undefined) ?? null;
    },
    finish: (row: RunRow | null): OpenWorkflowRun | null => (row === null ? null : toRun(row)),
  }),

  listRuns: op({
    kind: 'read',
    input: listRunsInput,
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
    input: countInput,
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
    input: claimInput,
    async run({ sql }, input): Promise<RunRow | null> {
      await sql.expireDeadlines.run(input.namespaceId, input.now, DEADLINE_EXCEEDED);
      return claimOne(sql, input);
    },
    finish: (row: RunRow | null): OpenWorkflowRun | null => (row === null ? null : toRun(row)),
  }),

  /**
   * The claims of many workers at once (a worker's slots in one tick): deadlines failed
   * once per namespace, then each claim, each claimed run with its first step attempts
   * (up to `PREFETCHED_STEPS`, one more to say whether there are more): the history its
   * worker reads next, read in the same trip.
   */
  claimMany: op({
    kind: 'write',
    input: manyOf(claimInput),
    async run({ sql }, { items }): Promise<Outcome<ClaimedWire | null>[]> {
      const namespaces = new Map(items.map((item) => [item.namespaceId, item.now]));
      // Not awaited: on PostgreSQL the claims go out right behind it, and the server runs them in that order.
      for (const [namespaceId, now] of namespaces) void sql.expireDeadlines.run(namespaceId, now, DEADLINE_EXCEEDED);
      return each(items, async (item) => {
        const run = await claimOne(sql, item);
        if (run === null) return null;
        const steps = (await sql.steps.oldest.all(run.namespace_id, run.id, FIRST.oldest.createdAt, FIRST.oldest.id, PREFETCHED_STEPS + 1)) as StepRow[];
        return { run, steps };
      });
    },
    finish: finishEach((wire: ClaimedWire | null): ClaimedRun | null => (wire === null ? null : { run: toRun(wire.run), steps: wire.steps.map(toStep) })),
  }),

  extendLease: op({
    kind: 'write',
    input: extendInput,
    async run({ sql }, { namespaceId, id, workerId, leaseMs, now }): Promise<RunRow> {
      return required((await sql.extendLease.get(namespaceId, id, workerId, now + leaseMs, now)) as RunRow | undefined, 'extend lease for workflow run');
    },
    finish: toRun,
  }),

  sleep: op({
    kind: 'write',
    input: sleepInput,
    async run({ sql }, { namespaceId, id, workerId, availableAt, now }): Promise<RunRow> {
      return required((await sql.sleep.get(namespaceId, id, workerId, availableAt, now)) as RunRow | undefined, 'sleep workflow run');
    },
    finish: toRun,
  }),

  complete: op({
    kind: 'write',
    input: completeInput,
    run: ({ sql }, input): Promise<RunRow> => completeOne(sql, input),
    finish: toRun,
  }),

  completeMany: op({
    kind: 'write',
    input: manyOf(completeInput),
    run: ({ sql }, { items }): Promise<Outcome<RunRow>[]> => each(items, (item) => completeOne(sql, item)),
    finish: finishEach(toRun),
  }),

  fail: op({
    kind: 'write',
    input: failInput,
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
    input: rescheduleInput,
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
    input: cancelInput,
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
    input: createStepInput,
    run: ({ sql }, input): Promise<StepRow> => createStepOne(sql, input),
    finish: toStep,
  }),

  createStepMany: op({
    kind: 'write',
    input: manyOf(createStepInput),
    run: ({ sql }, { items }): Promise<Outcome<StepRow>[]> => each(items, (item) => createStepOne(sql, item)),
    finish: finishEach(toStep),
  }),

  getStep: op({
    kind: 'read',
    input: stepRef,
    async run({ sql }, { namespaceId, id }): Promise<StepRow | null> {
      return ((await sql.step.get(namespaceId, id)) as StepRow | undefined) ?? null;
    },
    finish: (row: StepRow | null): OpenWorkflowStep | null => (row === null ? null : toStep(row)),
  }),

  listSteps: op({
    kind: 'read',
    input: listStepsInput,
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
    input: setChildInput,
    async run({ sql }, i): Promise<StepRow> {
      return required((await sql.setChild.get(i.namespaceId, i.workflowRunId, i.id, i.workerId, i.childNamespaceId, i.childId, i.now)) as
        StepRow | undefined, 'set step attempt child workflow run');
    },
    finish: toStep,
  }),

  completeStep: op({
    kind: 'write',
    input: completeStepInput,
    run: ({ sql }, input): Promise<StepRow> => completeStepOne(sql, input),
    finish: toStep,
  }),

  completeStepMany: op({
    kind: 'write',
    input: manyOf(completeStepInput),
    run: ({ sql }, { items }): Promise<Outcome<StepRow>[]> => each(items, (item) => completeStepOne(sql, item)),
    finish: finishEach(toStep),
  }),

  failStep: op({
    kind: 'write',
    input: failStepInput,
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
    input: sendSignalInput,
    async run({ sql }, { namespaceId, signal, data, idempotencyKey, now }): Promise<string[]> {
      if (idempotencyKey !== null) {
        await sql.lock(`openworkflow:signal:${namespaceId}:${signal}:${idempotencyKey}`);
        const sent = (await sql.sentBefore.all(namespaceId, signal, idempotencyKey)) as { workflow_run_id: string }[];
        if (sent.length > 0) return sent.map((row) => row.workflow_run_id);
      }
      const waiters = (await sql.waiters.all(namespaceId, signal)) as { id: string; workflow_run_id: string }[];
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
    input: stepRef,
    async run({ sql }, { namespaceId, id }): Promise<{ data: string | null } | null> {
      return ((await sql.delivery.get(namespaceId, id)) as { data: string | null } | undefined) ?? null;
    },
    finish: (row: { data: string | null } | null): unknown => (row === null ? undefined : row.data === null ? null : JSON.parse(row.data)),
  }),
});
