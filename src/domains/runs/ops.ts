/** store.runs operations: declared once, run by the workers by name. */
import { fromSqlTime, fromWireJson, sqlNow, toSqlTime, type WireJson } from '../../codec.ts';
import { defineDomain, opsOf } from '../../engine/op.ts';
import { prepareRuns, saveRun, type RunRow, type RunsStatements } from './sql.ts';
import {
  cleanupInput, failedInput, listInput, retentionInput, runIdInput, saveStateParams, statsInput,
  type RunStatus, type WorkflowState, type WorkflowStats, type WorkflowSummary,
} from './schema.ts';

const op = opsOf<RunsStatements>();
const HOUR_MS = 3_600_000;

function summary(row: RunRow): WorkflowSummary {
  return {
    runId: row.run_id,
    pipelineId: row.pipeline_id,
    pipelineName: row.pipeline_name,
    pipelineVersion: row.pipeline_version,
    currentStepIndex: row.current_step_index,
    status: row.status as RunStatus,
    createdAt: fromSqlTime(row.created_at),
    updatedAt: fromSqlTime(row.updated_at),
    totalSteps: row.total_steps,
    errorMessage: row.error_message,
    executionTimeMs: row.execution_time_ms,
    memoryUsageMb: row.memory_usage_mb,
  };
}

/**
 * What loadState sends to the main thread: the row's columns as they are, in one flat
 * array, which crosses threads several times faster than the state object does.
 */
type StateWire = [
  runId: string, pipelineId: string, pipelineName: string, pipelineVersion: string, currentStepIndex: number, status: string,
  createdAt: string, updatedAt: string, totalSteps: number, errorMessage: string | null, executionTimeMs: number | null,
  memoryUsageMb: number | null, pipelineContext: WireJson, lastStepOutput: WireJson,
];

export const runs = defineDomain('runs', prepareRuns, {
  saveState: op({
    kind: 'write',
    input: saveStateParams,
    run({ sql, codec }, [runId, pipelineId, name, version, step, context, output, ...rest]): void {
      saveRun(sql, [runId, pipelineId, name, version, step, codec.packText(context), codec.packText(output), ...rest, sqlNow()]);
    },
  }),

  loadState: op({
    kind: 'read',
    input: runIdInput,
    run({ sql, codec }, { runId }): StateWire | null {
      const row = sql.load.get(runId) as RunRow | undefined;
      if (!row) return null;
      return [row.run_id, row.pipeline_id, row.pipeline_name, row.pipeline_version, row.current_step_index, row.status,
        row.created_at, row.updated_at, row.total_steps, row.error_message, row.execution_time_ms, row.memory_usage_mb,
        codec.toWireJson(row.pipeline_context), codec.toWireJson(row.last_step_output)];
    },
    finish(wire: StateWire | null): WorkflowState | null {
      if (!wire) return null;
      return {
        runId: wire[0], pipelineId: wire[1], pipelineName: wire[2], pipelineVersion: wire[3], currentStepIndex: wire[4],
        status: wire[5] as RunStatus, createdAt: fromSqlTime(wire[6]), updatedAt: fromSqlTime(wire[7]), totalSteps: wire[8],
        errorMessage: wire[9], executionTimeMs: wire[10], memoryUsageMb: wire[11],
        pipelineContext: fromWireJson(wire[12]), lastStepOutput: fromWireJson(wire[13]),
      };
    },
  }),

  deleteState: op({
    kind: 'write',
    input: runIdInput,
    run({ sql }, { runId }): boolean {
      return Number(sql.delete.run(runId).changes) > 0;
    },
  }),

  listWorkflows: op({
    kind: 'read',
    input: listInput,
    run({ sql }, { status, pipelineId, limit, offset }): WorkflowSummary[] {
      const max = limit ?? -1;
      let rows: unknown[];
      if (status !== undefined && pipelineId !== undefined) rows = sql.list.byBoth.all(status, pipelineId, max, offset);
      else if (status !== undefined) rows = sql.list.byStatus.all(status, max, offset);
      else if (pipelineId !== undefined) rows = sql.list.byPipeline.all(pipelineId, max, offset);
      else rows = sql.list.all.all(max, offset);
      return (rows as RunRow[]).map(summary);
    },
  }),

  getWorkflowStats: op({
    kind: 'read',
    input: statsInput,
    run({ sql }): WorkflowStats {
      const statusCounts: Record<string, number> = {};
      for (const row of sql.statusCounts.all() as { status: string; n: number }[]) statusCounts[row.status] = row.n;
      const since = toSqlTime(new Date(Date.now() - 24 * HOUR_MS));
      return {
        totalWorkflows: (sql.total.get() as { n: number }).n,
        statusCounts,
        recentWorkflows24h: (sql.createdSince.get(since) as { n: number }).n,
        averageExecutionTimeMs: (sql.averageExecution.get() as { avg: number | null }).avg ?? 0,
      };
    },
  }),

  getFailedWorkflows: op({
    kind: 'read',
    input: failedInput,
    run({ sql }, { hoursBack }): WorkflowSummary[] {
      const since = toSqlTime(new Date(Date.now() - hoursBack * HOUR_MS));
      return (sql.failedSince.all(since) as unknown as RunRow[]).map(summary);
    },
  }),

  cleanupOldWorkflows: op({
    kind: 'write',
    input: cleanupInput,
    run({ sql }, { daysOld }): number {
      const before = toSqlTime(new Date(Date.now() - daysOld * 24 * HOUR_MS));
      return Number(sql.deleteOlderThan.run(before).changes);
    },
  }),

  /** store.cleanup's share: runs with one of `statuses`, not updated since `before`. */
  cleanupRetention: op({
    kind: 'write',
    input: retentionInput,
    run({ sql }, { before, statuses }): number {
      return Number(sql.deleteOlderThanWithStatus.run(toSqlTime(before), JSON.stringify(statuses)).changes);
    },
  }),
});
