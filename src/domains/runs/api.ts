/**
 * `store.runs`: workflow run state (seed 001, Flujo's SQLiteBackend).
 *
 * @example
 * ```ts
 * await store.runs.saveState('run_123', { pipelineId: 'etl', pipelineName: 'ETL', pipelineVersion: '1.0.0',
 *   currentStepIndex: 2, pipelineContext: { rows: 1000 }, lastStepOutput: null, status: 'running' });
 * const state = await store.runs.loadState('run_123');
 * ```
 */
import type { Invoker } from '../../engine/op.ts';
import { runs } from './ops.ts';
import type { RunStatus, WorkflowState, WorkflowStateInput, WorkflowStats, WorkflowSummary } from './schema.ts';

export class RunsApi {
  readonly #invoker: Invoker;

  constructor(invoker: Invoker) {
    this.#invoker = invoker;
  }

  /** Creates or replaces a run's state; `createdAt` is kept from the first save unless given. */
  saveState(runId: string, state: WorkflowStateInput): Promise<void> {
    return this.#invoker.invoke(runs.ops.saveState, { runId, state });
  }

  /** The run's state, or `null` when there is none. */
  loadState(runId: string): Promise<WorkflowState | null> {
    return this.#invoker.invoke(runs.ops.loadState, { runId });
  }

  /** Deletes a run's state; resolves `true` when there was one. */
  deleteState(runId: string): Promise<boolean> {
    return this.#invoker.invoke(runs.ops.deleteState, { runId });
  }

  /** Runs newest first, optionally filtered and paginated; index-backed for each filter. */
  listWorkflows(filter: { status?: RunStatus; pipelineId?: string; limit?: number; offset?: number } = {}): Promise<WorkflowSummary[]> {
    return this.#invoker.invoke(runs.ops.listWorkflows, filter);
  }

  getWorkflowStats(): Promise<WorkflowStats> {
    return this.#invoker.invoke(runs.ops.getWorkflowStats, {});
  }

  /** Failed runs updated in the last `hoursBack` hours (24 by default), most recent first. */
  getFailedWorkflows(options: { hoursBack?: number } = {}): Promise<WorkflowSummary[]> {
    return this.#invoker.invoke(runs.ops.getFailedWorkflows, options);
  }

  /** Deletes runs not updated for `daysOld` days (30 by default), never running ones; returns how many. */
  cleanupOldWorkflows(options: { daysOld?: number } = {}): Promise<number> {
    return this.#invoker.invoke(runs.ops.cleanupOldWorkflows, options);
  }
}
