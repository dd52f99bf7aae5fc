/** Every statement of store.runs on SQLite (postgres.ts has the same names). */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RunsStatements, SaveRunParams } from './statements.ts';

const SUMMARY_COLUMNS = `run_id, pipeline_id, pipeline_name, pipeline_version, current_step_index, status,
  created_at, updated_at, total_steps, error_message, execution_time_ms, memory_usage_mb`;

function arrays(statement: StatementSync): StatementSync {
  statement.setReturnArrays(true);
  return statement;
}

function upsertSql(setCreatedAt: string): string {
  return `INSERT INTO workflow_state (run_id, pipeline_id, pipeline_name, pipeline_version, current_step_index,
      pipeline_context, last_step_output, status, created_at, updated_at, total_steps, error_message,
      execution_time_ms, memory_usage_mb)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, COALESCE(?9, ?15), COALESCE(?10, ?15), ?11, ?12, ?13, ?14)
    ON CONFLICT (run_id) DO UPDATE SET pipeline_id = excluded.pipeline_id, pipeline_name = excluded.pipeline_name,
      pipeline_version = excluded.pipeline_version, current_step_index = excluded.current_step_index,
      pipeline_context = excluded.pipeline_context, last_step_output = excluded.last_step_output,
      status = excluded.status, ${setCreatedAt} updated_at = excluded.updated_at, total_steps = excluded.total_steps,
      error_message = excluded.error_message, execution_time_ms = excluded.execution_time_ms,
      memory_usage_mb = excluded.memory_usage_mb`;
}

export function prepareRuns(db: DatabaseSync): RunsStatements {
  // Positional parameters: node:sqlite binds them several times faster than named ones.
  const save: SaveStatements = {
    // The usual save (see saveRun): the same fifteen parameters as the upserts, ?9 (createdAt) unused.
    touch: db.prepare(`UPDATE workflow_state SET pipeline_name = ?3, pipeline_version = ?4, current_step_index = ?5,
      pipeline_context = ?6, last_step_output = ?7, updated_at = COALESCE(?10, ?15), total_steps = ?11,
      error_message = ?12, execution_time_ms = ?13, memory_usage_mb = ?14
      WHERE run_id = ?1 AND pipeline_id = ?2 AND status = ?8`),
    upsert: db.prepare(upsertSql('')),
    // Only when the caller gives createdAt: rewriting an indexed column costs every save an index update.
    upsertWithCreatedAt: db.prepare(upsertSql('created_at = excluded.created_at,')),
  };
  return {
    saveRun: (params) => saveRun(save, params),
    load: arrays(db.prepare(`SELECT ${SUMMARY_COLUMNS}, pipeline_context, last_step_output FROM workflow_state WHERE run_id = ?`)),
    delete: db.prepare('DELETE FROM workflow_state WHERE run_id = ?'),
    list: {
      all: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM workflow_state ORDER BY created_at DESC, run_id DESC LIMIT COALESCE(?, -1) OFFSET ?`),
      byStatus: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM workflow_state WHERE status = ? ORDER BY created_at DESC, run_id DESC LIMIT COALESCE(?, -1) OFFSET ?`),
      byPipeline: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM workflow_state WHERE pipeline_id = ? ORDER BY created_at DESC, run_id DESC LIMIT COALESCE(?, -1) OFFSET ?`),
      byBoth: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM workflow_state WHERE status = ? AND pipeline_id = ? ORDER BY created_at DESC, run_id DESC LIMIT COALESCE(?, -1) OFFSET ?`),
    },
    total: db.prepare('SELECT COUNT(*) AS n FROM workflow_state'),
    statusCounts: db.prepare('SELECT status, COUNT(*) AS n FROM workflow_state GROUP BY status ORDER BY status'),
    createdSince: db.prepare('SELECT COUNT(*) AS n FROM workflow_state WHERE created_at >= ?'),
    averageExecution: db.prepare('SELECT AVG(execution_time_ms) AS avg FROM workflow_state WHERE execution_time_ms IS NOT NULL'),
    failedSince: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM workflow_state WHERE status = 'failed' AND updated_at >= ? ORDER BY updated_at DESC, run_id DESC`),
    deleteOlderThan: db.prepare(`DELETE FROM workflow_state WHERE updated_at < ? AND status <> 'running'`),
    // Retention across domains (store.cleanup): the statuses come as one JSON array, bound like any value.
    deleteOlderThanWithStatus: db.prepare(`DELETE FROM workflow_state WHERE updated_at < ? AND status <> 'running'
      AND status IN (SELECT value FROM json_each(?))`),
  };
}

interface SaveStatements {
  readonly touch: StatementSync;
  readonly upsert: StatementSync;
  readonly upsertWithCreatedAt: StatementSync;
}

/**
 * Saves a run's state. SQLite deletes and reinserts an index entry whenever a column of
 * the index is assigned, even to the value it already has, and an upsert assigns them
 * all. So the usual save, of a run that exists and keeps its pipeline and status, goes
 * through `touch`, which leaves the indexed columns alone: it writes the row's page and
 * no index page, about a quarter of the WAL frames of the upsert, in half the time.
 * A new run, a new status or pipeline, or a given createdAt goes through an upsert.
 */
function saveRun(sql: SaveStatements, params: SaveRunParams): void {
  const createdAt = params[8];
  if (createdAt === null && sql.touch.run(...params).changes > 0) return;
  (createdAt === null ? sql.upsert : sql.upsertWithCreatedAt).run(...params);
}
