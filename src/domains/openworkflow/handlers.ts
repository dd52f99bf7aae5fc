/**
 * What the OpenWorkflow operations do, statement by statement, where more than one
 * operation does it: a claim, a step attempt made or completed, a run completed and its
 * parent woken, and the refusals OpenWorkflow's own backends throw. `each` runs one of them
 * for many items at once.
 */
import type { z } from 'zod';
import { FlowstoreError, isFlowstoreError, type ErrorCode } from '../../errors.ts';
import type { claimInput, completeInput, completeStepInput, createStepInput } from './schema.ts';
import type { OpenWorkflowStatements, RunRow, StepRow } from './statements.ts';

/** Before every row, whichever way a first page goes. */
export const FIRST = { newest: { createdAt: Number.MAX_SAFE_INTEGER, id: '' }, oldest: { createdAt: Number.MIN_SAFE_INTEGER, id: '' } };

/** What OpenWorkflow's backends throw when a mutation matched no row: `Failed to <what>`. */
function refused(what: string): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_CONFLICT', `Failed to ${what}`);
}

export function required<R>(row: R | undefined, what: string): R {
  if (row === undefined) throw refused(what);
  return row;
}

/** The lock a run's parking and its wake-ups from other hosts take (see `OpenWorkflowStatements.lock`). */
export const wakeKey = (namespaceId: string, runId: string) => `openworkflow:wake:${namespaceId}:${runId}`;

/** The run's parent, parked on the step that started it, is due now. */
export async function wakeParent(sql: OpenWorkflowStatements, run: RunRow, now: number): Promise<void> {
  const ns = run.parent_step_attempt_namespace_id;
  if (ns === null || run.parent_step_attempt_id === null) return;
  const parent = (await sql.runOfStep.get(ns, run.parent_step_attempt_id)) as { workflow_run_id: string } | undefined;
  if (!parent) return;
  await sql.lock(wakeKey(ns, parent.workflow_run_id));
  await sql.wakeParent.run(now, ns, run.parent_step_attempt_id, run.namespace_id, run.id);
}

/** What one item of a many-op became: its row, or the refusal the single op would have thrown. */
export type Outcome<R> = { readonly row: R } | { readonly code: ErrorCode; readonly message: string };

/**
 * Runs `one` for every item at once: on PostgreSQL each item's statements go out without
 * waiting for the item before (one round trip for them all, where ops one by one would
 * take one each); on SQLite they run one after the other as always. A refusal stays the
 * item's; any other error fails the operation.
 */
export function each<I, R>(items: readonly I[], one: (item: I) => Promise<R>): Promise<Outcome<R>[]> {
  return Promise.all(items.map((item) => one(item).then((row): Outcome<R> => ({ row }), (error: unknown): Outcome<R> => {
    if (isFlowstoreError(error) && (error.code === 'FLOWSTORE_CONFLICT' || error.code === 'FLOWSTORE_NOT_FOUND')) return { code: error.code, message: error.message };
    throw error;
  })));
}

export const finishEach = <R, O>(map: (row: R) => O) => (outcomes: Outcome<R>[]): Outcome<O>[] =>
  outcomes.map((o) => ('row' in o ? { row: map(o.row) } : o));

type ClaimItem = z.output<typeof claimInput>;

/** The first due pending run, else the first running one whose lease ended (or that was parked until now). */
export async function claimOne(sql: OpenWorkflowStatements, { namespaceId, workerId, leaseMs, now }: ClaimItem): Promise<RunRow | null> {
  const leaseUntil = now + leaseMs;
  const pending = (await sql.claimPending.get(namespaceId, now, workerId, leaseUntil)) as RunRow | undefined;
  if (pending) return pending;
  return ((await sql.claimDue.get(namespaceId, now, workerId, leaseUntil)) as RunRow | undefined) ?? null;
}

export async function createStepOne(sql: OpenWorkflowStatements, i: z.output<typeof createStepInput>): Promise<StepRow> {
  return required((await sql.insertStep.get(i.namespaceId, i.workflowRunId, i.workerId, i.id, i.stepName, i.kind, i.config, i.context,
    i.kind === 'signal-wait' ? i.signal : null, i.now)) as StepRow | undefined, 'create step attempt');
}

export async function completeStepOne(sql: OpenWorkflowStatements, i: z.output<typeof completeStepInput>): Promise<StepRow> {
  return required((await sql.completeStep.get(i.namespaceId, i.workflowRunId, i.id, i.workerId, i.output, i.now)) as StepRow | undefined,
    'mark step attempt completed');
}

export async function completeOne(sql: OpenWorkflowStatements, { namespaceId, id, workerId, output, now }: z.output<typeof completeInput>): Promise<RunRow> {
  const run = required((await sql.complete.get(namespaceId, id, workerId, output, now)) as RunRow | undefined, 'mark workflow run completed');
  await wakeParent(sql, run, now);
  return run;
}
