/** Every statement of store.runs on PostgreSQL (sqlite.ts has the same names). */
import type { PgConnection } from '../../backends/postgres/connection.ts';
import type { RunsStatements } from './statements.ts';

const SUMMARY_COLUMNS = `run_id, pipeline_id, pipeline_name, pipeline_version, current_step_index, status,
  created_at, updated_at, total_steps, error_message, execution_time_ms, memory_usage_mb`;
const NEWEST_FIRST = 'ORDER BY created_at DESC, run_id DESC LIMIT $LIMIT OFFSET $OFFSET';

function page(sql: string, at: number): string {
  return sql.replace('$LIMIT', `$${at}::bigint`).replace('$OFFSET', `$${at + 1}::bigint`);
}

/** The save, exported for the bench's hand-written `pg` side. */
export const UPSERT_RUN = `INSERT INTO workflow_state (run_id, pipeline_id, pipeline_name, pipeline_version, current_step_index,
      pipeline_context, last_step_output, status, created_at, updated_at, total_steps, error_message,
      execution_time_ms, memory_usage_mb)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9::timestamptz, $15::timestamptz), COALESCE($10::timestamptz, $15::timestamptz), $11, $12, $13, $14)
    ON CONFLICT (run_id) DO UPDATE SET pipeline_id = excluded.pipeline_id, pipeline_name = excluded.pipeline_name,
      pipeline_version = excluded.pipeline_version, current_step_index = excluded.current_step_index,
      pipeline_context = excluded.pipeline_context, last_step_output = excluded.last_step_output,
      status = excluded.status, created_at = CASE WHEN $9::timestamptz IS NULL THEN workflow_state.created_at ELSE excluded.created_at END,
      updated_at = excluded.updated_at, total_steps = excluded.total_steps,
      error_message = excluded.error_message, execution_time_ms = excluded.execution_time_ms,
      memory_usage_mb = excluded.memory_usage_mb`;

export function prepareRuns(conn: PgConnection): RunsStatements {
  // One upsert: PostgreSQL has no reason for SQLite's update-first (see sqlite.ts), and
  // one statement nobody awaits lets the writer send a whole batch in one round trip.
  const upsert = conn.statement(UPSERT_RUN, { bytea: [6, 7] });
  return {
    saveRun: (params) => upsert.run(...params),
    load: conn.statement(`SELECT ${SUMMARY_COLUMNS}, pipeline_context, last_step_output FROM workflow_state WHERE run_id = $1`, { arrays: true }),
    delete: conn.statement('DELETE FROM workflow_state WHERE run_id = $1'),
    list: {
      all: conn.statement(`SELECT ${SUMMARY_COLUMNS} FROM workflow_state ${page(NEWEST_FIRST, 1)}`),
      byStatus: conn.statement(`SELECT ${SUMMARY_COLUMNS} FROM workflow_state WHERE status = $1 ${page(NEWEST_FIRST, 2)}`),
      byPipeline: conn.statement(`SELECT ${SUMMARY_COLUMNS} FROM workflow_state WHERE pipeline_id = $1 ${page(NEWEST_FIRST, 2)}`),
      byBoth: conn.statement(`SELECT ${SUMMARY_COLUMNS} FROM workflow_state WHERE status = $1 AND pipeline_id = $2 ${page(NEWEST_FIRST, 3)}`),
    },
    total: conn.statement('SELECT COUNT(*) AS n FROM workflow_state'),
    statusCounts: conn.statement('SELECT status, COUNT(*) AS n FROM workflow_state GROUP BY status ORDER BY status COLLATE "C"'),
    createdSince: conn.statement('SELECT COUNT(*) AS n FROM workflow_state WHERE created_at >= $1::timestamptz'),
    averageExecution: conn.statement('SELECT AVG(execution_time_ms) AS avg FROM workflow_state WHERE execution_time_ms IS NOT NULL'),
    failedSince: conn.statement(`SELECT ${SUMMARY_COLUMNS} FROM workflow_state WHERE status = 'failed' AND updated_at >= $1::timestamptz
      ORDER BY updated_at DESC, run_id DESC`),
    deleteOlderThan: conn.statement(`DELETE FROM workflow_state WHERE updated_at < $1::timestamptz AND status <> 'running'`),
    deleteOlderThanWithStatus: conn.statement(`DELETE FROM workflow_state WHERE updated_at < $1::timestamptz AND status <> 'running'
      AND status IN (SELECT jsonb_array_elements_text($2::jsonb))`),
  };
}
