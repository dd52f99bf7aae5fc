/** Every statement of store.definitions on SQLite (postgres.ts has the same names). */
import type { DatabaseSync } from 'node:sqlite';
import type { DefinitionsStatements } from './statements.ts';

const PHASE_COLUMNS = 'file_path, task, depends_on, rule, template, retry, status';
const ORDER = 'ORDER BY file_path, position';

// `topic` names `topic` itself and every `topic:job`. The range keeps the task index in use:
// ';' follows ':', so [topic, topic;) holds them all, plus names such as `topic-x` that the
// second test drops. ?1 is the topic.
const TASK_IN_TOPIC = `task >= ?1 AND task < ?1 || ';' AND (task = ?1 OR substr(task, length(?1) + 1, 1) = ':')`;
const DEPENDS_IN_TOPIC = `depends_on >= ?1 AND depends_on < ?1 || ';' AND (depends_on = ?1 OR substr(depends_on, length(?1) + 1, 1) = ':')`;
const IN_PATH = '(?2 IS NULL OR file_path = ?2)';

// A parent exists when some phase is exactly `depends_on`, or, for a bare topic, any `topic:job`.
const HAS_PARENT = `EXISTS (SELECT 1 FROM workflow_phases q WHERE q.task = p.depends_on)
  OR (instr(p.depends_on, ':') = 0 AND EXISTS (SELECT 1 FROM workflow_phases q
    WHERE q.task >= p.depends_on || ':' AND q.task < p.depends_on || ';'))`;

/** The one writer runs every refresh on its own: nothing to hold. */
function noLock(): undefined {
  return undefined;
}

export function prepareDefinitions(db: DatabaseSync): DefinitionsStatements {
  return {
    storedHashes: db.prepare('SELECT file_path, file_hash FROM workflow_files'),
    lock: noLock,
    upsertFile: db.prepare(`INSERT INTO workflow_files (file_path, file_hash, loaded_at, last_modified, parse_error)
      VALUES (?1, ?2, ?3, ?4, ?5)
      ON CONFLICT (file_path) DO UPDATE SET file_hash = excluded.file_hash, last_modified = excluded.last_modified,
        parse_error = excluded.parse_error,
        loaded_at = CASE WHEN excluded.parse_error IS NULL THEN excluded.loaded_at ELSE workflow_files.loaded_at END`),
    deleteFile: db.prepare('DELETE FROM workflow_files WHERE file_path = ?'),
    deletePhasesOf: db.prepare('DELETE FROM workflow_phases WHERE file_path = ?'),
    insertPhase: db.prepare(`INSERT INTO workflow_phases (file_path, task, depends_on, rule, template, retry, status,
        position, check_error, check_warning)
      VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)`),
    // The status of every phase, from its own checks and the phases loaded now; only rows whose
    // message changes are written. ?1 is the message's prefix (rules.ts has every message).
    recomputeStatus: db.prepare(`UPDATE workflow_phases AS w SET status = v.status
      FROM (SELECT p.file_path, p.task, CASE
          WHEN p.check_error <> '' THEN p.check_error
          WHEN p.depends_on <> '' AND NOT (${HAS_PARENT}) THEN ?1 || p.depends_on
          ELSE p.check_warning END AS status
        FROM workflow_phases p) AS v
      WHERE w.file_path = v.file_path AND w.task = v.task AND w.status IS NOT v.status`),

    phaseExact: db.prepare(`SELECT ${PHASE_COLUMNS} FROM workflow_phases WHERE task = ?1 AND ${IN_PATH} ${ORDER} LIMIT 1`),
    phaseInTopic: db.prepare(`SELECT ${PHASE_COLUMNS} FROM workflow_phases WHERE ${TASK_IN_TOPIC} AND ${IN_PATH} ${ORDER} LIMIT 1`),
    // A `topic:job` task's children depend on it exactly or on its topic (?3).
    childrenOfJob: db.prepare(`SELECT ${PHASE_COLUMNS} FROM workflow_phases WHERE depends_on IN (?1, ?3) AND ${IN_PATH} ${ORDER}`),
    childrenOfTopic: db.prepare(`SELECT ${PHASE_COLUMNS} FROM workflow_phases WHERE ${DEPENDS_IN_TOPIC} AND ${IN_PATH} ${ORDER}`),
    listPhases: {
      all: db.prepare(`SELECT ${PHASE_COLUMNS} FROM workflow_phases WHERE (?1 IS NULL OR file_path = ?1) ${ORDER}`),
      withStatus: db.prepare(`SELECT ${PHASE_COLUMNS} FROM workflow_phases
        WHERE status IS NOT NULL AND status <> '' AND (?1 IS NULL OR file_path = ?1) ${ORDER}`),
      withoutStatus: db.prepare(`SELECT ${PHASE_COLUMNS} FROM workflow_phases
        WHERE (status IS NULL OR status = '') AND (?1 IS NULL OR file_path = ?1) ${ORDER}`),
    },
    // The document's "generate task relationships" query, with optional exact filters.
    dependencies: db.prepare(`SELECT parent.depends_on AS parent_task, parent.task AS child_task, parent.file_path,
        parent.rule AS child_rule, parent.status AS child_status
      FROM workflow_phases parent
      WHERE parent.depends_on IS NOT NULL AND parent.depends_on != ''
        AND (?1 IS NULL OR parent.depends_on = ?1) AND (?2 IS NULL OR parent.task = ?2)
      ORDER BY parent.file_path, parent.position`),
    // The document's "workflow file info with phase count and status summary" query.
    files: db.prepare(`SELECT wf.file_path, wf.file_hash, wf.loaded_at, wf.last_modified, wf.parse_error,
        COUNT(wp.task) AS phase_count,
        COUNT(CASE WHEN wp.status IS NOT NULL AND wp.status != '' THEN 1 END) AS phases_with_status
      FROM workflow_files wf
      LEFT JOIN workflow_phases wp ON wf.file_path = wp.file_path
      GROUP BY wf.file_path
      ORDER BY wf.file_path`),
  };
}
