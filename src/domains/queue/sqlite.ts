/** Every statement of store.queue on SQLite (postgres.ts has the same names). */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_MAX_ATTEMPTS } from './defaults.ts';
import { CLAIMED_COLUMNS, JOB_COLUMNS, type ClaimedRow, type QueueStatements } from './statements.ts';

/** A job that waits or runs: what a key and a cancel apply to. */
const LIVE = "state IN ('waiting', 'running')";
/** A job that has ended, as the partial index of ended jobs says it (which a query must repeat to read that index). */
const ENDED = "state NOT IN ('waiting', 'running')";
/** The attempt that just ended, as an entry of `attempts`; `?N` is its error's JSON. */
const endedAttempt = (error: string, endedAt: string) =>
  `json_object('attempt', attempt, 'workerId', worker, 'startedAt', started_at, 'endedAt', ${endedAt}, 'error', json(${error}))`;
const NEWEST_FIRST = 'ORDER BY id DESC LIMIT ?';
/** The columns a new job is given, in the order of every insert's values. */
const INSERT_JOB = `INSERT INTO queue_jobs (queue, state, payload, available_at, run_at, priority, key, max_attempts, attempt_limit,
      backoff_base_ms, backoff_max_ms, created_at)`;

/** Rows as arrays of their columns (see ClaimedRow). */
function arrays(statement: StatementSync): StatementSync {
  statement.setReturnArrays(true);
  return statement;
}

export function prepareQueue(db: DatabaseSync): QueueStatements {
  const insertSql = `${INSERT_JOB}
    VALUES (?1, 'waiting', ?2, ?3, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9)`;
  // A job without a key cannot conflict: its row id is had without RETURNING, which costs an insert a third more.
  const insert = db.prepare(insertSql);
  // json_each hands out an object or array element as its JSON text, the caller's text as it was, in the array's order.
  const insertArray = db.prepare(`${INSERT_JOB}
    SELECT ?1, 'waiting', value, ?3, ?3, 0, NULL, ?4, ?4, ?5, ?6, ?3 FROM json_each(?2)`);
  const insertKeyed = db.prepare(`${insertSql} ON CONFLICT (queue, key) WHERE key IS NOT NULL AND ${LIVE} DO NOTHING RETURNING id`);
  const complete = db.prepare(`UPDATE queue_jobs SET state = 'completed', result = ?1, finished_at = ?2
    WHERE id = ?3 AND attempt = ?4 AND state = 'running' AND available_at > ?2`);
  const probe = db.prepare(`SELECT (SELECT concurrency FROM queue_settings WHERE queue = ?1 AND concurrency IS NOT NULL) AS cap,
      EXISTS (SELECT 1 FROM queue_jobs WHERE queue = ?1 AND state = 'running' AND available_at <= ?2) AS expired`);
  const claim = arrays(db.prepare(`UPDATE queue_jobs SET state = 'running', attempt = attempt + 1, worker = ?4, started_at = ?2, available_at = ?3
      WHERE id IN (SELECT id FROM queue_jobs WHERE queue = ?1 AND state = 'waiting' AND available_at <= ?2
        ORDER BY priority DESC, available_at, id LIMIT ?5)
      RETURNING ${CLAIMED_COLUMNS}`));
  return {
    // SQLite binds a row in microseconds: one statement for many would cost it more (the rows as JSON, parsed again).
    insertMany: (queue, rows, now) => rows.map(([payload, due, priority, maxAttempts, baseMs, maxMs]) =>
      Number(insert.run(queue, payload, due, priority, null, maxAttempts, baseMs, maxMs, now).lastInsertRowid)),
    // An INTEGER PRIMARY KEY gives each new row the largest id so far plus one: one statement's rows have ids in a run.
    insertArray: (queue, payloads, now) => {
      const { changes, lastInsertRowid } = insertArray.run(queue, payloads, now, DEFAULT_MAX_ATTEMPTS, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS);
      const first = Number(lastInsertRowid) - Number(changes) + 1;
      return Array.from({ length: Number(changes) }, (_, i) => first + i);
    },
    insert: (...values) => (values[4] === null ? Number(insert.run(...values).lastInsertRowid) : (insertKeyed.get(...values)?.id as number | undefined)),
    byKey: db.prepare(`SELECT id FROM queue_jobs WHERE queue = ? AND key = ? AND ${LIVE}`),
    notify: () => undefined,
    probe,
    // No round trip to save: the two statements, at once.
    claimFree: (queue, now, leaseUntil, workerId, limit) => {
      const { cap, expired } = probe.get(queue, now)!;
      return cap === null && expired === 0 ? (claim.all(queue, now, leaseUntil, workerId, limit) as unknown as ClaimedRow[]) : null;
    },
    running: db.prepare("SELECT count(*) AS n FROM queue_jobs WHERE queue = ? AND state = 'running' AND available_at > ?"),
    claim,
    // SET expressions read the row as it was: the ended attempt is logged with its worker and times.
    reclaim: arrays(db.prepare(`UPDATE queue_jobs SET attempts = json_insert(attempts, '$[#]', ${endedAttempt('?6', 'available_at')}), error = ?6,
        attempt = attempt + 1, worker = ?4, started_at = ?2, available_at = ?3
      WHERE id IN (SELECT id FROM queue_jobs WHERE queue = ?1 AND state = 'running' AND available_at <= ?2 AND attempt < attempt_limit
        ORDER BY available_at LIMIT ?5)
      RETURNING ${CLAIMED_COLUMNS}`)),
    failExpired: db.prepare(`UPDATE queue_jobs SET state = 'failed', finished_at = ?2, error = ?3,
        attempts = json_insert(attempts, '$[#]', ${endedAttempt('?3', 'available_at')})
      WHERE queue = ?1 AND state = 'running' AND available_at <= ?2 AND attempt >= attempt_limit`),
    nextDue: db.prepare(`SELECT min(at) AS at FROM (SELECT min(available_at) AS at FROM queue_jobs WHERE queue = ?1 AND state = 'waiting'
      UNION ALL SELECT min(available_at) FROM queue_jobs WHERE queue = ?1 AND state = 'running')`),
    heartbeat: db.prepare("UPDATE queue_jobs SET available_at = ?1 WHERE id = ?2 AND attempt = ?3 AND state = 'running' AND available_at > ?4"),
    complete,
    completeMany: (rows, now) => rows.map(([id, attempt, result]) => Number(complete.run(result, now, id, attempt).changes) === 0),
    lease: db.prepare(`SELECT queue, attempt_limit, backoff_base_ms, backoff_max_ms, worker, started_at FROM queue_jobs
      WHERE id = ?1 AND attempt = ?2 AND state = 'running' AND available_at > ?3`),
    release: db.prepare(`UPDATE queue_jobs SET state = 'waiting', available_at = ?1, attempt_limit = attempt_limit + 1
      WHERE id = ?2 AND attempt = ?3 AND state = 'running' AND available_at > ?1`),
    failRetry: db.prepare(`UPDATE queue_jobs SET state = 'waiting', available_at = ?1, error = ?2, attempts = json_insert(attempts, '$[#]', json(?3))
      WHERE id = ?4 AND attempt = ?5`),
    failFinal: db.prepare(`UPDATE queue_jobs SET state = 'failed', finished_at = ?1, error = ?2, attempts = json_insert(attempts, '$[#]', json(?3))
      WHERE id = ?4 AND attempt = ?5`),
    cancel: db.prepare(`UPDATE queue_jobs SET
        attempts = CASE WHEN state = 'running' THEN json_insert(attempts, '$[#]', ${endedAttempt('?3', '?1')}) ELSE attempts END,
        state = 'cancelled', finished_at = ?1
      WHERE id = ?2 AND ${LIVE}`),
    retry: db.prepare(`UPDATE queue_jobs SET state = 'waiting', available_at = ?1, attempt_limit = attempt + max_attempts, finished_at = NULL
      WHERE id = ?2 AND state IN ('failed', 'cancelled')`),
    get: db.prepare(`SELECT ${JOB_COLUMNS} FROM queue_jobs WHERE id = ?`),
    list: {
      all: db.prepare(`SELECT ${JOB_COLUMNS} FROM queue_jobs WHERE id < ? ${NEWEST_FIRST}`),
      byQueue: db.prepare(`SELECT ${JOB_COLUMNS} FROM queue_jobs WHERE queue = ? AND id < ? ${NEWEST_FIRST}`),
      byState: db.prepare(`SELECT ${JOB_COLUMNS} FROM queue_jobs WHERE state = ? AND id < ? ${NEWEST_FIRST}`),
      byBoth: db.prepare(`SELECT ${JOB_COLUMNS} FROM queue_jobs WHERE queue = ? AND state = ? AND id < ? ${NEWEST_FIRST}`),
    },
    // One grouped read per partial index, each reading its index alone.
    counts: db.prepare(`SELECT queue, 'waiting' AS state, count(*) AS n, coalesce(sum(available_at > ?1), 0) AS delayed,
        min(CASE WHEN available_at <= ?1 THEN available_at END) AS oldest FROM queue_jobs WHERE state = 'waiting' GROUP BY queue
      UNION ALL SELECT queue, 'running', count(*), 0, NULL FROM queue_jobs WHERE state = 'running' GROUP BY queue
      UNION ALL SELECT queue, state, count(*), 0, NULL FROM queue_jobs WHERE ${ENDED} GROUP BY queue, state`),
    settings: db.prepare('SELECT queue, concurrency FROM queue_settings ORDER BY queue'),
    setConcurrency: db.prepare(`INSERT INTO queue_settings (queue, concurrency, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (queue) DO UPDATE SET concurrency = excluded.concurrency, updated_at = excluded.updated_at`),
    upsertSchedule: db.prepare(`INSERT INTO queue_schedules (name, cron, time_zone, payload, options, last_tick, created_at, updated_at)
      VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?6)
      ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone, payload = excluded.payload,
        options = excluded.options, updated_at = excluded.updated_at`),
    deleteSchedule: db.prepare('DELETE FROM queue_schedules WHERE name = ?'),
    schedules: db.prepare('SELECT name, cron, time_zone, payload, options, last_tick, created_at FROM queue_schedules ORDER BY name'),
    schedule: db.prepare('SELECT name, cron, time_zone, payload, options, last_tick, created_at FROM queue_schedules WHERE name = ?'),
    advanceTick: db.prepare('UPDATE queue_schedules SET last_tick = ?2 WHERE name = ?1 AND ?2 > created_at AND (last_tick IS NULL OR last_tick < ?2)'),
    deleteFinished: db.prepare(`DELETE FROM queue_jobs WHERE finished_at < ?1 AND state IN (SELECT value FROM json_each(?2))`),
  };
}
