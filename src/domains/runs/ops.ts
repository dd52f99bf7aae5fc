/** store.runs operations: declared once, run by the workers by name. */
import { fromSqlTime, fromWireJson, sqlNow, toSqlTime, type WireJson } from '../../codec.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { after, defineDomain, opsOf, type Awaitable } from '../../engine/op.ts';
import { prepareRuns as prepareSqlite } from './sqlite.ts';
import { prepareRuns as preparePostgres } from './postgres.ts';
import type { RunRow, RunsStatements, StateRow } from './statements.ts';
import type * as Schemas from './schema.ts';
import type { RunStatus, WorkflowState, WorkflowStats, WorkflowSummary } from './schema.ts';

const op = opsOf<RunsStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');
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

export const runs = defineDomain('runs', { sqlite: prepareSqlite, postgres: preparePostgres }, {
  saveState: op({
    kind: 'write',
    input: s.saveStateParams,
    // Not awaited: SQLite has saved when it returns; PostgreSQL's writer settles a batch's statements together, in one round trip.
    run({ sql, codec }, [runId, pipelineId, name, version, step, context, output, ...rest]): void {
      void sql.saveRun([runId, pipelineId, name, version, step, codec.packText(context), codec.packText(output), ...rest, sqlNow()]);
    },
  }),

  loadState: op({
    kind: 'read',
    input: s.runIdInput,
    run({ sql, codec }, { runId }): Awaitable<StateWire | null> {
      return after(sql.load.get(runId) as Awaitable<StateRow | undefined>, (row) => {
        if (!row) return null;
        // The row's own array, its two values made ready to cross.
        const wire = row as unknown as StateWire;
        wire[12] = codec.toWireJson(row[12]);
        wire[13] = codec.toWireJson(row[13]);
        return wire;
      });
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
    input: s.runIdInput,
    async run({ sql }, { runId }): Promise<boolean> {
      return Number((await sql.delete.run(runId)).changes) > 0;
    },
  }),

  listWorkflows: op({
    kind: 'read',
    input: s.listInput,
    async run({ sql }, { status, pipelineId, limit, offset }): Promise<WorkflowSummary[]> {
      const max = limit ?? null;
      let rows: unknown[];
      if (status !== undefined && pipelineId !== undefined) rows = await sql.list.byBoth.all(status, pipelineId, max, offset);
      else if (status !== undefined) rows = await sql.list.byStatus.all(status, max, offset);
      else if (pipelineId !== undefined) rows = await sql.list.byPipeline.all(pipelineId, max, offset);
      else rows = await sql.list.all.all(max, offset);
      return (rows as RunRow[]).map(summary);
    },
  }),

  getWorkflowStats: op({
    kind: 'read',
    input: s.statsInput,
    async run({ sql }): Promise<WorkflowStats> {
      const statusCounts: Record<string, number> = {};
      for (const row of (await sql.statusCounts.all()) as { status: string; n: number }[]) statusCounts[row.status] = row.n;
      const since = toSqlTime(new Date(Date.now() - 24 * HOUR_MS));
      return {
        totalWorkflows: ((await sql.total.get()) as { n: number }).n,
        statusCounts,
        recentWorkflows24h: ((await sql.createdSince.get(since)) as { n: number }).n,
        averageExecutionTimeMs: ((await sql.averageExecution.get()) as { avg: number | null }).avg ?? 0,
      };
    },
  }),

  getFailedWorkflows: op({
    kind: 'read',
    input: s.failedInput,
    async run({ sql }, { hoursBack }): Promise<WorkflowSummary[]> {
      const since = toSqlTime(new Date(Date.now() - hoursBack * HOUR_MS));
      return ((await sql.failedSince.all(since)) as RunRow[]).map(summary);
    },
  }),

  cleanupOldWorkflows: op({
    kind: 'write',
    input: s.cleanupInput,
    async run({ sql }, { daysOld }): Promise<number> {
      const before = toSqlTime(new Date(Date.now() - daysOld * 24 * HOUR_MS));
      return Number((await sql.deleteOlderThan.run(before)).changes);
    },
  }),

  /** store.cleanup's share: runs with one of `statuses`, not updated since `before`. */
  cleanupRetention: op({
    kind: 'write',
    input: s.retentionInput,
    async run({ sql }, { before, statuses }): Promise<number> {
      return Number((await sql.deleteOlderThanWithStatus.run(toSqlTime(before), JSON.stringify(statuses))).changes);
    },
  }),
});
