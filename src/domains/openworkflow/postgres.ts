/** Every statement of the OpenWorkflow domain on PostgreSQL (sqlite.ts has the same names). */
import type { PgConnection } from '../../backends/postgres/connection.ts';
import { FINISHED, LIVE, RUN_COLUMNS, STEP_COLUMNS, type OpenWorkflowStatements, type RunFilter } from './statements.ts';

/** A run held by a worker: `$1` namespace, `$2` run id, `$3` worker id. */
const OWNED = "namespace_id = $1 AND id = $2 AND status = 'running' AND worker_id = $3";
/** A step attempt (`$1` namespace, `$2` run id, `$3` step attempt id) whose run the worker `$4` holds. */
const STEP_OWNED = `namespace_id = $1 AND workflow_run_id = $2 AND id = $3 AND EXISTS (SELECT 1 FROM openworkflow_runs r
  WHERE r.namespace_id = $1 AND r.id = $2 AND r.status = 'running' AND r.worker_id = $4)`;
/** Sets `available_at` to now (`$N`) unless it is already earlier. */
const dueBy = (now: string) => `available_at = CASE WHEN available_at IS NULL OR available_at > ${now} THEN ${now} ELSE available_at END`;

const FILTERS: Record<RunFilter, string> = {
  all: 'namespace_id = $1',
  byStatus: 'namespace_id = $1 AND status = $2',
  byWorkflow: 'namespace_id = $1 AND workflow_name = $2',
  byBoth: 'namespace_id = $1 AND status = $2 AND workflow_name = $3',
};
const FILTER_PARAMS: Record<RunFilter, number> = { all: 1, byStatus: 2, byWorkflow: 2, byBoth: 3 };

export function prepareOpenWorkflow(db: PgConnection): OpenWorkflowStatements {
  const page = (filter: RunFilter, newest: boolean) => {
    const n = FILTER_PARAMS[filter];
    const [op, order] = newest ? ['<', 'DESC'] : ['>', 'ASC'];
    return db.statement(`SELECT ${RUN_COLUMNS} FROM openworkflow_runs WHERE ${FILTERS[filter]} AND (created_at, id) ${op} ($${n + 1}::bigint, $${n + 2}::text)
      ORDER BY created_at ${order}, id ${order} LIMIT $${n + 3}`);
  };
  const pages = (newest: boolean) => ({
    all: page('all', newest), byStatus: page('byStatus', newest), byWorkflow: page('byWorkflow', newest), byBoth: page('byBoth', newest),
  });
  const steps = (newest: boolean) => {
    const [op, order] = newest ? ['<', 'DESC'] : ['>', 'ASC'];
    return db.statement(`SELECT ${STEP_COLUMNS} FROM openworkflow_step_attempts WHERE namespace_id = $1 AND workflow_run_id = $2
      AND (created_at, id) ${op} ($3::bigint, $4::text) ORDER BY created_at ${order}, id ${order} LIMIT $5`);
  };
  // Several hosts never take one run: each skips the rows another's claim has locked.
  const claim = (status: string) => db.statement(`UPDATE openworkflow_runs SET status = 'running', attempts = attempts + 1, worker_id = $3,
      available_at = $4, started_at = coalesce(started_at, $2), updated_at = $2
    WHERE namespace_id = $1 AND id = (SELECT id FROM openworkflow_runs WHERE namespace_id = $1 AND status ${status} AND available_at <= $2
      ORDER BY available_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING ${RUN_COLUMNS}`);
  const lock = db.statement('SELECT pg_advisory_xact_lock(hashtextextended($1, 0)) AS locked');
  return {
    lock: (key) => lock.get(key),
    insertRun: db.statement(`INSERT INTO openworkflow_runs (namespace_id, id, workflow_name, version, status, idempotency_key, config, context,
        input, attempts, parent_step_attempt_namespace_id, parent_step_attempt_id, available_at, deadline_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, 0, $9, $10, $11, $12, $13, $13)
      RETURNING ${RUN_COLUMNS}`),
    runByKey: db.statement(`SELECT ${RUN_COLUMNS} FROM openworkflow_runs
      WHERE namespace_id = $1 AND workflow_name = $2 AND idempotency_key = $3 AND created_at >= $4 ORDER BY created_at, id LIMIT 1`),
    run: db.statement(`SELECT ${RUN_COLUMNS} FROM openworkflow_runs WHERE namespace_id = $1 AND id = $2`),
    expireDeadlines: db.statement(`UPDATE openworkflow_runs SET status = 'failed', error = $3, worker_id = NULL, available_at = NULL,
        finished_at = $2, updated_at = $2
      WHERE namespace_id = $1 AND deadline_at IS NOT NULL AND status IN ${LIVE} AND deadline_at <= $2`),
    claimPending: claim("= 'pending'"),
    claimDue: claim("IN ('running', 'sleeping')"),
    extendLease: db.statement(`UPDATE openworkflow_runs SET available_at = $4, updated_at = $5 WHERE ${OWNED} RETURNING ${RUN_COLUMNS}`),
    // A child that finished, or a signal that came, before the run parked: it is due now.
    sleep: db.statement(`UPDATE openworkflow_runs SET status = 'running', worker_id = NULL, updated_at = $5,
        available_at = CASE WHEN $4::bigint > $5::bigint AND (
          EXISTS (SELECT 1 FROM openworkflow_step_attempts s JOIN openworkflow_runs c
              ON c.namespace_id = s.child_workflow_run_namespace_id AND c.id = s.child_workflow_run_id
            WHERE s.namespace_id = $1 AND s.workflow_run_id = $2 AND s.kind = 'workflow' AND s.status = 'running' AND c.status IN ${FINISHED})
          OR EXISTS (SELECT 1 FROM openworkflow_step_attempts s JOIN openworkflow_signals g
              ON g.namespace_id = s.namespace_id AND g.step_attempt_id = s.id
            WHERE s.namespace_id = $1 AND s.workflow_run_id = $2 AND s.kind = 'signal-wait' AND s.status = 'running')
        ) THEN $5 ELSE $4 END
      WHERE namespace_id = $1 AND id = $2 AND status NOT IN ${FINISHED} AND worker_id = $3
      RETURNING ${RUN_COLUMNS}`),
    complete: db.statement(`UPDATE openworkflow_runs SET status = 'completed', output = $4, error = NULL, available_at = NULL,
        finished_at = $5, updated_at = $5
      WHERE ${OWNED} RETURNING ${RUN_COLUMNS}`),
    fail: db.statement(`UPDATE openworkflow_runs SET status = $4, available_at = $5, finished_at = $6, error = $7, worker_id = NULL,
        started_at = NULL, updated_at = $8
      WHERE ${OWNED} RETURNING ${RUN_COLUMNS}`),
    reschedule: db.statement(`UPDATE openworkflow_runs SET status = 'pending', available_at = $4, finished_at = NULL, error = $5,
        worker_id = NULL, started_at = NULL, updated_at = $6
      WHERE ${OWNED} RETURNING ${RUN_COLUMNS}`),
    cancel: db.statement(`UPDATE openworkflow_runs SET status = 'canceled', worker_id = NULL, available_at = NULL, finished_at = $3, updated_at = $3
      WHERE namespace_id = $1 AND id = $2 AND status IN ${LIVE} RETURNING ${RUN_COLUMNS}`),
    wakeParent: db.statement(`UPDATE openworkflow_runs SET ${dueBy('$1')}, updated_at = $1
      WHERE namespace_id = $2 AND id = (SELECT workflow_run_id FROM openworkflow_step_attempts
          WHERE namespace_id = $2 AND id = $3 AND kind = 'workflow' AND status = 'running'
            AND child_workflow_run_namespace_id = $4 AND child_workflow_run_id = $5)
        AND (status = 'sleeping' OR (status = 'running' AND worker_id IS NULL))`),
    counts: db.statement('SELECT status, count(*) AS n FROM openworkflow_runs WHERE namespace_id = $1 GROUP BY status'),
    runs: { newest: pages(true), oldest: pages(false) },
    insertStep: db.statement(`INSERT INTO openworkflow_step_attempts (namespace_id, id, workflow_run_id, step_name, kind, status, config,
        context, signal, started_at, created_at, updated_at)
      SELECT $1::text, $4::text, $2::text, $5::text, $6::text, 'running', $7::text, $8::text, $9::text, $10::bigint, $10::bigint, $10::bigint FROM openworkflow_runs WHERE ${OWNED}
      RETURNING ${STEP_COLUMNS}`),
    step: db.statement(`SELECT ${STEP_COLUMNS} FROM openworkflow_step_attempts WHERE namespace_id = $1 AND id = $2`),
    steps: { newest: steps(true), oldest: steps(false) },
    setChild: db.statement(`UPDATE openworkflow_step_attempts SET child_workflow_run_namespace_id = $5, child_workflow_run_id = $6, updated_at = $7
      WHERE status = 'running' AND ${STEP_OWNED} RETURNING ${STEP_COLUMNS}`),
    // Completing (failing) again is answered with the attempt as it was.
    completeStep: db.statement(`UPDATE openworkflow_step_attempts SET status = 'completed',
        output = CASE WHEN status = 'running' THEN $5 ELSE output END, error = NULL, finished_at = coalesce(finished_at, $6),
        updated_at = CASE WHEN status = 'running' THEN $6 ELSE updated_at END
      WHERE status IN ('running', 'completed') AND ${STEP_OWNED} RETURNING ${STEP_COLUMNS}`),
    failStep: db.statement(`UPDATE openworkflow_step_attempts SET status = 'failed', output = NULL,
        error = CASE WHEN status = 'running' THEN $5 ELSE error END, finished_at = coalesce(finished_at, $6),
        updated_at = CASE WHEN status = 'running' THEN $6 ELSE updated_at END
      WHERE status IN ('running', 'failed') AND ${STEP_OWNED} RETURNING ${STEP_COLUMNS}`),
    sentBefore: db.statement(`SELECT DISTINCT workflow_run_id FROM openworkflow_signals
      WHERE namespace_id = $1 AND signal = $2 AND sender_idempotency_key = $3`),
    waiters: db.statement(`SELECT id, workflow_run_id FROM openworkflow_step_attempts
      WHERE namespace_id = $1 AND signal = $2 AND kind = 'signal-wait' AND status = 'running' ORDER BY created_at, id`),
    deliver: db.statement(`INSERT INTO openworkflow_signals (namespace_id, id, signal, data, sender_idempotency_key, workflow_run_id,
        step_attempt_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (namespace_id, step_attempt_id) DO NOTHING RETURNING workflow_run_id`),
    wakeRun: db.statement(`UPDATE openworkflow_runs SET ${dueBy('$3')}, updated_at = $3
      WHERE namespace_id = $1 AND id = $2 AND status IN ${LIVE} AND worker_id IS NULL`),
    delivery: db.statement('SELECT data FROM openworkflow_signals WHERE namespace_id = $1 AND step_attempt_id = $2'),
  };
}
