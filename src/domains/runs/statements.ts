/**
 * What store.runs needs of a backend: the same names on SQLite and PostgreSQL, each
 * backend's SQL in its own file (sqlite.ts, postgres.ts), rows in one shape.
 */
import type { Awaitable, Statement } from '../../engine/op.ts';

/**
 * What saving a run binds, in order: runId, pipelineId, pipelineName, pipelineVersion,
 * currentStepIndex, pipelineContext, lastStepOutput, status, createdAt, updatedAt,
 * totalSteps, errorMessage, executionTimeMs, memoryUsageMb, and the time of the save.
 */
export type SaveRunParams = readonly [
  string, string, string, string, number, string | Uint8Array | null, string | Uint8Array | null, string,
  string | null, string | null, number, string | null, number | null, number | null, string,
];

export interface RunsStatements {
  /** Creates or replaces a run; `createdAt` (param 9) is kept from the first save unless given. */
  saveRun(params: SaveRunParams): Awaitable<unknown>;
  /**
   * A run's row by id as an array ({@link StateRow}'s order): a row of arrays is read
   * faster than one of named properties (node:sqlite's `setReturnArrays`, pg's `rowMode`).
   */
  load: Statement;
  delete: Statement;
  /** Newest first; `(filters…, limit or null, offset)`. */
  list: { all: Statement; byStatus: Statement; byPipeline: Statement; byBoth: Statement };
  total: Statement;
  statusCounts: Statement;
  createdSince: Statement;
  averageExecution: Statement;
  failedSince: Statement;
  deleteOlderThan: Statement;
  /** `(before, statuses as a JSON array)`: never a running run. */
  deleteOlderThanWithStatus: Statement;
}

/** A row as both backends return it. */
export interface RunRow {
  run_id: string;
  pipeline_id: string;
  pipeline_name: string;
  pipeline_version: string;
  current_step_index: number;
  status: string;
  created_at: string;
  updated_at: string;
  total_steps: number;
  error_message: string | null;
  execution_time_ms: number | null;
  memory_usage_mb: number | null;
  pipeline_context?: string | Uint8Array | null;
  last_step_output?: string | Uint8Array | null;
}

/** What `load` returns: the summary columns, in {@link RunRow}'s order, then the two stored values. */
export type StateRow = [
  run_id: string, pipeline_id: string, pipeline_name: string, pipeline_version: string, current_step_index: number, status: string,
  created_at: string, updated_at: string, total_steps: number, error_message: string | null, execution_time_ms: number | null,
  memory_usage_mb: number | null, pipeline_context: string | Uint8Array | null, last_step_output: string | Uint8Array | null,
];
