/**
 * Rows into records, on the caller's thread: OpenWorkflow's `WorkflowRun` and `StepAttempt`
 * exactly (the same fields, no more), times as Dates, JSON parsed.
 */
import type { RunRow, StepRow } from './statements.ts';

/** A run: the fields of OpenWorkflow's `WorkflowRun`. */
export interface OpenWorkflowRun {
  namespaceId: string;
  id: string;
  workflowName: string;
  version: string | null;
  status: 'pending' | 'running' | 'sleeping' | 'succeeded' | 'completed' | 'failed' | 'canceled';
  idempotencyKey: string | null;
  config: any;
  context: any;
  input: any;
  output: any;
  error: any;
  attempts: number;
  parentStepAttemptNamespaceId: string | null;
  parentStepAttemptId: string | null;
  workerId: string | null;
  availableAt: Date | null;
  deadlineAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A step attempt: the fields of OpenWorkflow's `StepAttempt`. */
export interface OpenWorkflowStep {
  namespaceId: string;
  id: string;
  workflowRunId: string;
  stepName: string;
  kind: 'function' | 'sleep' | 'workflow' | 'signal-send' | 'signal-wait';
  status: 'running' | 'succeeded' | 'completed' | 'failed';
  config: any;
  context: any;
  output: any;
  error: any;
  childWorkflowRunNamespaceId: string | null;
  childWorkflowRunId: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const parsed = (text: string | null): any => (text === null ? null : JSON.parse(text));
const date = (ms: number | null): Date | null => (ms === null ? null : new Date(Number(ms)));

export function toRun(row: RunRow): OpenWorkflowRun {
  return {
    namespaceId: row.namespace_id,
    id: row.id,
    workflowName: row.workflow_name,
    version: row.version,
    status: row.status as OpenWorkflowRun['status'],
    idempotencyKey: row.idempotency_key,
    config: parsed(row.config),
    context: parsed(row.context),
    input: parsed(row.input),
    output: parsed(row.output),
    error: parsed(row.error),
    attempts: Number(row.attempts),
    parentStepAttemptNamespaceId: row.parent_step_attempt_namespace_id,
    parentStepAttemptId: row.parent_step_attempt_id,
    workerId: row.worker_id,
    availableAt: date(row.available_at),
    deadlineAt: date(row.deadline_at),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

export function toStep(row: StepRow): OpenWorkflowStep {
  return {
    namespaceId: row.namespace_id,
    id: row.id,
    workflowRunId: row.workflow_run_id,
    stepName: row.step_name,
    kind: row.kind as OpenWorkflowStep['kind'],
    status: row.status as OpenWorkflowStep['status'],
    config: parsed(row.config),
    context: parsed(row.context),
    output: parsed(row.output),
    error: parsed(row.error),
    childWorkflowRunNamespaceId: row.child_workflow_run_namespace_id,
    childWorkflowRunId: row.child_workflow_run_id,
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** Runs per status, OpenWorkflow's way: older releases' 'succeeded' counts as completed, 'sleeping' as running. */
export interface OpenWorkflowCounts { pending: number; running: number; completed: number; failed: number; canceled: number }

export function toCounts(rows: readonly { status: string; n: number }[]): OpenWorkflowCounts {
  const counts: OpenWorkflowCounts = { pending: 0, running: 0, completed: 0, failed: 0, canceled: 0 };
  const folded: Record<string, keyof OpenWorkflowCounts> = { succeeded: 'completed', sleeping: 'running' };
  for (const { status, n } of rows) {
    const bucket = folded[status] ?? status;
    if (Object.hasOwn(counts, bucket)) counts[bucket as keyof OpenWorkflowCounts] += Number(n);
  }
  return counts;
}
