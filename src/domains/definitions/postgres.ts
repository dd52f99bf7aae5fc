/** Every statement of store.definitions on PostgreSQL (sqlite.ts has the same names). */
import type { PgConnection } from '../../backends/postgres/connection.ts';
import type { DefinitionsStatements } from './statements.ts';

const PHASE_COLUMNS = 'file_path, task, depends_on, rule, template, retry, status';
const ORDER = 'ORDER BY file_path, position';

// The same ranges as sqlite.ts: the "C" collation of task and depends_on orders them by code
// point, so [topic, topic;) holds the topic and every `topic:job`. $1 is the topic.
const TASK_IN_TOPIC = `task >= $1::text AND task < $1::text || ';' AND (task = $1::text OR substr(task, length($1::text) + 1, 1) = ':')`;
const DEPENDS_IN_TOPIC = `depends_on >= $1::text AND depends_on < $1::text || ';'
  AND (depends_on = $1::text OR substr(depends_on, length($1::text) + 1, 1) = ':')`;
const IN_PATH = '($2::text IS NULL OR file_path = $2::text)';

const HAS_PARENT = `EXISTS (SELECT 1 FROM workflow_phases q WHERE q.task = p.depends_on)
  OR (strpos(p.depends_on, ':') = 0 AND EXISTS (SELECT 1 FROM workflow_phases q
    WHERE q.task >= p.depends_on || ':' AND q.task < p.depends_on || ';'))`;

export function prepareDefinitions(conn: PgConnection): DefinitionsStatements {
  // A transaction-scoped advisory lock per schema: another host's refresh waits for this one
  // to commit, so that its statements (each with a snapshot of its own) see this one's phases.
  const lock = conn.statement(`SELECT pg_advisory_xact_lock(hashtextextended('flowstore:' || current_schema() || ':definitions', 0))`);
  return {
    storedHashes: conn.statement('SELECT file_path, file_hash FROM workflow_files'),
    lock: () => lock.run(),
    upsertFile: conn.statement(`INSERT INTO workflow_files (file_path, file_hash, loaded_at, last_modified, parse_error)
      VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5)
      ON CONFLICT (file_path) DO UPDATE SET file_hash = excluded.file_hash, last_modified = excluded.last_modified,
        parse_error = excluded.parse_error,
        loaded_at = CASE WHEN excluded.parse_error IS NULL THEN excluded.loaded_at ELSE workflow_files.loaded_at END`),
    deleteFile: conn.statement('DELETE FROM workflow_files WHERE file_path = $1'),
    deletePhasesOf: conn.statement('DELETE FROM workflow_phases WHERE file_path = $1'),
    insertPhase: conn.statement(`INSERT INTO workflow_phases (file_path, task, depends_on, rule, template, retry, status,
        position, check_error, check_warning)
      VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9)`),
    recomputeStatus: conn.statement(`UPDATE workflow_phases AS w SET status = v.status
      FROM (SELECT p.file_path, p.task, CASE
          WHEN p.check_error <> '' THEN p.check_error
          WHEN p.depends_on <> '' AND NOT (${HAS_PARENT}) THEN $1::text || p.depends_on
          ELSE p.check_warning END AS status
        FROM workflow_phases p) AS v
      WHERE w.file_path = v.file_path AND w.task = v.task AND w.status IS DISTINCT FROM v.status`),

    phaseExact: conn.statement(`SELECT ${PHASE_COLUMNS} FROM workflow_phases WHERE task = $1::text AND ${IN_PATH} ${ORDER} LIMIT 1`),
    phaseInTopic: conn.statement(`SELECT ${PHASE_COLUMNS} FROM workflow_phases WHERE ${TASK_IN_TOPIC} AND ${IN_PATH} ${ORDER} LIMIT 1`),
    childrenOfJob: conn.statement(`SELECT ${PHASE_COLUMNS} FROM workflow_phases WHERE depends_on IN ($1::text, $3::text) AND ${IN_PATH} ${ORDER}`),
    childrenOfTopic: conn.statement(`SELECT ${PHASE_COLUMNS} FROM workflow_phases WHERE ${DEPENDS_IN_TOPIC} AND ${IN_PATH} ${ORDER}`),
    listPhases: {
      all: conn.statement(`SELECT ${PHASE_COLUMNS} FROM workflow_phases WHERE ($1::text IS NULL OR file_path = $1::text) ${ORDER}`),
      withStatus: conn.statement(`SELECT ${PHASE_COLUMNS} FROM workflow_phases
        WHERE status IS NOT NULL AND status <> '' AND ($1::text IS NULL OR file_path = $1::text) ${ORDER}`),
      withoutStatus: conn.statement(`SELECT ${PHASE_COLUMNS} FROM workflow_phases
        WHERE (status IS NULL OR status = '') AND ($1::text IS NULL OR file_path = $1::text) ${ORDER}`),
    },
    dependencies: conn.statement(`SELECT parent.depends_on AS parent_task, parent.task AS child_task, parent.file_path,
        parent.rule AS child_rule, parent.status AS child_status
      FROM workflow_phases parent
      WHERE parent.depends_on IS NOT NULL AND parent.depends_on != ''
        AND ($1::text IS NULL OR parent.depends_on = $1::text) AND ($2::text IS NULL OR parent.task = $2::text)
      ORDER BY parent.file_path, parent.position`),
    files: conn.statement(`SELECT wf.file_path, wf.file_hash, wf.loaded_at, wf.last_modified, wf.parse_error,
        COUNT(wp.task) AS phase_count,
        COUNT(CASE WHEN wp.status IS NOT NULL AND wp.status != '' THEN 1 END) AS phases_with_status
      FROM workflow_files wf
      LEFT JOIN workflow_phases wp ON wf.file_path = wp.file_path
      GROUP BY wf.file_path
      ORDER BY wf.file_path`),
  };
}
