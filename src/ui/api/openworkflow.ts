/**
 * OpenWorkflow's runs (flowstore/openworkflow), read-only, through store.openworkflow's
 * read operations: a namespace's runs counted by status, listed newest first by status and
 * workflow and paged by cursor; one run with its fields, its step attempts in order (each
 * with its output or error), the run that started it, the child runs it started, and its
 * signals: those it waited for (with the data delivered) and those it sent (with the runs
 * they reached). Cancel stays in OpenWorkflow's client.
 *
 * @example
 * ```ts
 * // GET /api/openworkflow/runs?status=failed&workflow=checkout   → { namespace, counts, items: [{ id, workflowName, status, error, … }], next }
 * // GET /api/openworkflow/run?id=<uuid>                          → { run, parent, steps: [...], children: [...], signals: { waited, sent } }
 * ```
 */
import { invalidArgument, notFound } from '../../errors.ts';
import { RUN_STATUSES } from '../../domains/openworkflow/schema.ts';
import type { OpenWorkflowRun, OpenWorkflowStep } from '../../domains/openworkflow/rows.ts';
import { DEFAULT_NAMESPACE_ID } from '../../openworkflow/options.ts';
import type { Store } from '../../store.ts';
import { toDisplay } from '../display.ts';
import { preview } from './queue.ts';
import { intParam, oneOfParam, textParam, type Handler, type Routes } from './context.ts';

/** Runs on a page of the listing, unless `limit` says otherwise (at most 200). */
export const RUNS_PAGE = 25;
/** Step attempts on a run's page, oldest first; a longer history pages on (`after`). */
export const STEPS_PAGE = 100;
/** The statuses a listing filters by: OpenWorkflow's current five ('sleeping' and 'succeeded' are older releases' words). */
export const RUN_FILTERS = ['pending', 'running', 'completed', 'failed', 'canceled'] as const;

type Cursor = { createdAt: number; id: string };

/** Where a page starts, as the page's URL carries it: `<createdAt ms>.<id>` of the row before it. */
export function cursorText(row: { createdAt: Date; id: string }): string {
  return `${row.createdAt.getTime()}.${row.id}`;
}

function cursorParam(params: URLSearchParams, name: string): Cursor | undefined {
  const raw = textParam(params, name);
  if (raw === undefined) return undefined;
  const match = /^(-?\d{1,16})\.(.+)$/s.exec(raw);
  if (!match || !Number.isSafeInteger(Number(match[1])) || match[2]!.length > 512) throw invalidArgument(name, 'must be a page cursor (<createdAt ms>.<id>)');
  return { createdAt: Number(match[1]), id: match[2]! };
}

function namespaceParam(params: URLSearchParams): string {
  const ns = textParam(params, 'namespace') ?? DEFAULT_NAMESPACE_ID;
  if (ns.length > 512) throw invalidArgument('namespace', 'must be at most 512 characters');
  return ns;
}

/** An error as OpenWorkflow serializes it ({ name, message, stack }), or whatever else was stored, as the page shows it. */
function errorOf(error: unknown) {
  if (error === null || error === undefined) return null;
  if (typeof error === 'object' && !Array.isArray(error)) {
    const e = error as Record<string, unknown>;
    return {
      name: typeof e.name === 'string' ? e.name : null,
      message: typeof e.message === 'string' ? e.message : preview(error),
      stack: typeof e.stack === 'string' ? e.stack : null,
    };
  }
  return { name: null, message: typeof error === 'string' ? error : preview(error), stack: null };
}

/** A run in a listing: its input as a preview, no output or config. */
function listed(run: OpenWorkflowRun) {
  return {
    namespaceId: run.namespaceId, id: run.id, workflowName: run.workflowName, version: run.version, status: run.status,
    attempts: run.attempts, workerId: run.workerId, child: run.parentStepAttemptId !== null,
    createdAt: run.createdAt, availableAt: run.availableAt, startedAt: run.startedAt, finishedAt: run.finishedAt,
    input: run.input === null ? null : preview(run.input),
    error: errorOf(run.error),
  };
}

export const runs: Handler = async ({ store, params }) => {
  const namespaceId = namespaceParam(params);
  const limit = Math.max(1, intParam(params, 'limit', RUNS_PAGE, 200));
  const status = oneOfParam(params, 'status', RUN_STATUSES);
  const workflowName = textParam(params, 'workflow');
  const before = cursorParam(params, 'before');
  const [counts, page] = await Promise.all([
    store.openworkflow.countRuns(namespaceId),
    store.openworkflow.listRuns({ namespaceId, status, workflowName, cursor: before && { ...before, newest: true }, limit: limit + 1 }),
  ]);
  const items = page.rows.slice(0, limit);
  return { now: Date.now(), namespace: namespaceId, counts, items: items.map(listed), next: page.rows.length > limit ? cursorText(items.at(-1)!) : null };
};

/** The counts alone, for the overview. */
export const counts: Handler = async ({ store, params }) => {
  const namespaceId = namespaceParam(params);
  return { namespace: namespaceId, counts: await store.openworkflow.countRuns(namespaceId) };
};

function stepView(step: OpenWorkflowStep) {
  return {
    id: step.id, stepName: step.stepName, kind: step.kind, status: step.status,
    startedAt: step.startedAt, finishedAt: step.finishedAt, createdAt: step.createdAt,
    output: step.output === null ? null : toDisplay(step.output),
    error: errorOf(step.error),
    context: step.context === null ? null : toDisplay(step.context),
    child: step.childWorkflowRunId === null ? null : { namespaceId: step.childWorkflowRunNamespaceId, id: step.childWorkflowRunId },
  };
}

/** The run a step attempt started, as its parent's page lists it (null when it is gone). */
async function childOf(store: Store, step: OpenWorkflowStep) {
  const run = await store.openworkflow.getRun(step.childWorkflowRunNamespaceId ?? step.namespaceId, step.childWorkflowRunId!);
  return {
    stepName: step.stepName, id: step.childWorkflowRunId, namespaceId: step.childWorkflowRunNamespaceId ?? step.namespaceId,
    workflowName: run?.workflowName ?? null, status: run?.status ?? null, finishedAt: run?.finishedAt ?? null,
  };
}

async function parentOf(store: Store, run: OpenWorkflowRun) {
  if (run.parentStepAttemptId === null) return null;
  const namespaceId = run.parentStepAttemptNamespaceId ?? run.namespaceId;
  const step = await store.openworkflow.getStep(namespaceId, run.parentStepAttemptId);
  if (!step) return { namespaceId, id: null, stepName: null, workflowName: null };
  const parent = await store.openworkflow.getRun(namespaceId, step.workflowRunId);
  return { namespaceId, id: step.workflowRunId, stepName: step.stepName, workflowName: parent?.workflowName ?? null };
}

/** A signal-wait step's signal (its context's) and what was delivered to it; a signal-send step's signal (its name) and the runs it reached. */
async function signalsOf(store: Store, steps: readonly OpenWorkflowStep[]) {
  const waits = steps.filter((s) => s.kind === 'signal-wait');
  const deliveries = await Promise.all(waits.map((s) => store.openworkflow.signalDelivery(s.namespaceId, s.id)));
  return {
    waited: waits.map((s, i) => ({
      stepName: s.stepName, stepId: s.id, status: s.status,
      signal: typeof s.context?.signal === 'string' ? s.context.signal : s.stepName,
      timeoutAt: typeof s.context?.timeoutAt === 'string' ? s.context.timeoutAt : null,
      delivered: deliveries[i] !== undefined, data: deliveries[i] === undefined ? null : toDisplay(deliveries[i]),
    })),
    sent: steps.filter((s) => s.kind === 'signal-send').map((s) => ({
      stepName: s.stepName, stepId: s.id, status: s.status, signal: s.stepName, at: s.finishedAt ?? s.createdAt,
      reached: Array.isArray(s.output?.workflowRunIds) ? (s.output.workflowRunIds as unknown[]).filter((id): id is string => typeof id === 'string') : [],
    })),
  };
}

export const run: Handler = async ({ store, params }) => {
  const namespaceId = namespaceParam(params);
  const id = textParam(params, 'id');
  if (id === undefined) throw invalidArgument('id', 'is required');
  const after = cursorParam(params, 'after');
  const limit = Math.max(1, intParam(params, 'limit', STEPS_PAGE, 1000));
  const found = await store.openworkflow.getRun(namespaceId, id);
  if (!found) throw notFound('workflow run', id);
  const [page, parent] = await Promise.all([
    store.openworkflow.listSteps({ namespaceId, workflowRunId: id, cursor: after && { ...after, newest: false }, limit: limit + 1 }),
    parentOf(store, found),
  ]);
  const steps = page.rows.slice(0, limit);
  const [children, signals] = await Promise.all([
    Promise.all(steps.filter((s) => s.childWorkflowRunId !== null).map((s) => childOf(store, s))),
    signalsOf(store, steps),
  ]);
  return {
    now: Date.now(),
    run: {
      ...found,
      config: toDisplay(found.config), context: found.context === null ? null : toDisplay(found.context),
      input: found.input === null ? null : toDisplay(found.input), output: found.output === null ? null : toDisplay(found.output),
      error: errorOf(found.error),
    },
    parent,
    steps: steps.map(stepView),
    next: page.rows.length > limit ? cursorText(steps.at(-1)!) : null,
    children,
    signals,
  };
};

export const routes: Routes = {
  '/api/openworkflow/runs': runs,
  '/api/openworkflow/counts': counts,
  '/api/openworkflow/run': run,
};
