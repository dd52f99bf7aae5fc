/** Every statement of store.queue on PostgreSQL (sqlite.ts has the same names). */
import type { PgConnection } from '../../backends/postgres/connection.ts';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_MAX_ATTEMPTS } from './defaults.ts';
import { CLAIMED_COLUMNS, JOB_COLUMNS, type ClaimedRow, type QueueStatements } from './statements.ts';

/** A job that waits or runs: what a key and a cancel apply to. */
const LIVE = "state IN ('waiting', 'running')";
/** `attempts` with one more entry: the attempt that just ended, `$N` its error's JSON. */
const withEndedAttempt = (error: string, endedAt: string, table = '') =>
  `(${table}attempts::jsonb || jsonb_build_array(jsonb_build_object('attempt', ${table}attempt, 'workerId', ${table}worker,
    'startedAt', ${table}started_at, 'endedAt', ${endedAt}, 'error', ${error}::text::jsonb)))::text`;
const NEWEST_FIRST = 'ORDER BY id DESC LIMIT';
/** The columns a new job is given, in the order of every insert's values. */
const INSERT_JOB = `INSERT INTO queue_jobs (queue, state, payload, available_at, run_at, priority, key, max_attempts, attempt_limit,
      backoff_base_ms, backoff_max_ms, created_at)`;
/**
 * `j.state = 'running'` in a form the planner cannot match to the running jobs' partial index,
 * whose entries for jobs completed within a lease stay until a vacuum: a batch of completions
 * whose plan scanned it (a bitmap, or a hash join over it) took 23 µs a job with 30,000 jobs
 * worked, 70 with 100,000. With it, and `id = ANY` beside the join (an index condition the
 * planner prices by the array, where it prices the JSON's rows at 100), the jobs are found by
 * primary key whatever the statistics say, a new table's too (a sequential scan otherwise).
 */
const RUNNING_BY_ID = "j.state >= 'running' AND j.state <= 'running'";
/** What a claim returns, from the updated row. */
const RETURNED = CLAIMED_COLUMNS.split(', ').map((column) => `j.${column}`).join(', ');

/** The channel a queue's enqueues are announced on, one per schema (see the writer's listener). */
export const QUEUE_CHANNEL = "'flowstore.' || current_schema() || '.queue'";

export function prepareQueue(conn: PgConnection): QueueStatements {
  const notify = conn.statement(`SELECT pg_notify(${QUEUE_CHANNEL}, $1)`);
  const insert = conn.statement(`${INSERT_JOB}
    VALUES ($1, 'waiting', $2, $3, $3, $4, $5, $6, $6, $7, $8, $9)
    ON CONFLICT (queue, key) WHERE key IS NOT NULL AND ${LIVE} DO NOTHING
    RETURNING id`, { bytea: [2] });
  // One statement for many jobs instead of a round of the protocol each: ids are drawn from the
  // sequence in the rows' order, so sorted they match the rows.
  const bulk = conn.statement(`${INSERT_JOB}
    SELECT $1, 'waiting', convert_to(r ->> 0, 'UTF8'), (r ->> 1)::bigint, (r ->> 1)::bigint, (r ->> 2)::integer, NULL, (r ->> 3)::integer,
      (r ->> 3)::integer, (r ->> 4)::bigint, (r ->> 5)::bigint, $2
    FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS t(r, n) ORDER BY n
    RETURNING id`);
  // json (not jsonb) keeps each element's text as the caller wrote it, key order and all.
  const bulkArray = conn.statement(`${INSERT_JOB}
    SELECT $1, 'waiting', convert_to(p::text, 'UTF8'), $3, $3, 0, NULL, $4, $4, $5, $6, $3
    FROM json_array_elements($2::json) WITH ORDINALITY AS t(p, n) ORDER BY n
    RETURNING id`);
  // A worker's completions of one turn in one statement; those its RETURNING leaves out were refused.
  const completeAll = conn.statement(`UPDATE queue_jobs j SET state = 'completed', result = convert_to(c.r ->> 2, 'UTF8'), finished_at = $1
    FROM jsonb_array_elements($3::jsonb) AS c(r)
    WHERE j.id = ANY ($2::bigint[]) AND j.id = (c.r ->> 0)::bigint AND j.attempt = (c.r ->> 1)::integer AND ${RUNNING_BY_ID} AND j.available_at > $1
    RETURNING j.id`);
  // The probe's two questions gate the claim in the same statement; a row of nulls but the
  // last column says that the queue has a limit or a lease ended, or that no job was due.
  const claimFree = conn.statement(`WITH p AS (SELECT EXISTS (SELECT 1 FROM queue_settings WHERE queue = $1 AND concurrency IS NOT NULL)
        OR EXISTS (SELECT 1 FROM queue_jobs WHERE queue = $1 AND state = 'running' AND available_at <= $2) AS blocked),
      c AS (SELECT id FROM queue_jobs WHERE queue = $1 AND state = 'waiting' AND available_at <= $2 AND NOT (SELECT blocked FROM p)
        ORDER BY priority DESC, available_at, id LIMIT $5 FOR UPDATE SKIP LOCKED),
      u AS (UPDATE queue_jobs j SET state = 'running', attempt = j.attempt + 1, worker = $4, started_at = $2, available_at = $3
        FROM c WHERE j.id = c.id RETURNING ${RETURNED})
    SELECT u.*, p.blocked FROM p LEFT JOIN u ON true`, { arrays: true });
  return {
    insertMany: (queue, rows, now) => (bulk.all(queue, now, JSON.stringify(rows)) as Promise<{ id: number }[]>)
      .then((inserted) => inserted.map((row) => row.id).sort((a, b) => a - b)),
    insertArray: (queue, payloads, now) => (bulkArray.all(queue, payloads, now, DEFAULT_MAX_ATTEMPTS, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS) as Promise<{ id: number }[]>)
      .then((inserted) => inserted.map((row) => row.id).sort((a, b) => a - b)),
    insert: (...values) => (insert.get(...values) as Promise<{ id: number } | undefined>).then((row) => row?.id),
    byKey: conn.statement(`SELECT id FROM queue_jobs WHERE queue = $1 AND key = $2 AND ${LIVE}`),
    notify: (queue) => notify.run(queue),
    // The limit's row is locked until the claim's transaction ends: hosts count a limited queue's
    // running jobs one at a time (a statement of its own, after the lock: its snapshot sees the
    // claims of the host that held it).
    probe: conn.statement(`SELECT (SELECT concurrency FROM queue_settings WHERE queue = $1 AND concurrency IS NOT NULL FOR UPDATE) AS cap,
      EXISTS (SELECT 1 FROM queue_jobs WHERE queue = $1 AND state = 'running' AND available_at <= $2) AS expired`),
    claimFree: (...values) => (claimFree.all(...values) as Promise<unknown[][]>).then((rows) => {
      if (rows[0]!.at(-1) === true) return null;
      return (rows[0]![0] === null ? [] : rows) as unknown as ClaimedRow[];
    }),
    running: conn.statement("SELECT count(*) AS n FROM queue_jobs WHERE queue = $1 AND state = 'running' AND available_at > $2"),
    claim: conn.statement(`UPDATE queue_jobs j SET state = 'running', attempt = j.attempt + 1, worker = $4, started_at = $2, available_at = $3
      FROM (SELECT id FROM queue_jobs WHERE queue = $1 AND state = 'waiting' AND available_at <= $2
        ORDER BY priority DESC, available_at, id LIMIT $5 FOR UPDATE SKIP LOCKED) c
      WHERE j.id = c.id
      RETURNING ${RETURNED}`, { arrays: true }),
    // SET expressions read the row as it was: the ended attempt is logged with its worker and times.
    reclaim: conn.statement(`UPDATE queue_jobs j SET attempts = ${withEndedAttempt('$6', 'j.available_at', 'j.')}, error = $6::text,
        attempt = j.attempt + 1, worker = $4, started_at = $2, available_at = $3
      FROM (SELECT id FROM queue_jobs WHERE queue = $1 AND state = 'running' AND available_at <= $2 AND attempt < attempt_limit
        ORDER BY available_at LIMIT $5 FOR UPDATE SKIP LOCKED) c
      WHERE j.id = c.id
      RETURNING ${RETURNED}`, { arrays: true }),
    failExpired: conn.statement(`UPDATE queue_jobs SET state = 'failed', finished_at = $2, error = $3::text,
        attempts = ${withEndedAttempt('$3', 'available_at')}
      WHERE queue = $1 AND state = 'running' AND available_at <= $2 AND attempt >= attempt_limit`),
    nextDue: conn.statement(`SELECT least((SELECT min(available_at) FROM queue_jobs WHERE queue = $1 AND state = 'waiting'),
      (SELECT min(available_at) FROM queue_jobs WHERE queue = $1 AND state = 'running')) AS at`),
    heartbeat: conn.statement("UPDATE queue_jobs SET available_at = $1 WHERE id = $2 AND attempt = $3 AND state = 'running' AND available_at > $4"),
    complete: conn.statement(`UPDATE queue_jobs SET state = 'completed', result = $1, finished_at = $2
      WHERE id = $3 AND attempt = $4 AND state = 'running' AND available_at > $2`, { bytea: [1] }),
    completeMany: (rows, now) => (rows.length === 0 ? [] : (completeAll.all(now, rows.map(([id]) => id), JSON.stringify(rows)) as Promise<{ id: number }[]>)
      .then((completed) => {
        const done = new Set(completed.map((row) => row.id));
        return rows.map(([id]) => !done.has(id));
      })),
    lease: conn.statement(`SELECT queue, attempt_limit, backoff_base_ms, backoff_max_ms, worker, started_at FROM queue_jobs
      WHERE id = $1 AND attempt = $2 AND state = 'running' AND available_at > $3`),
    release: conn.statement(`UPDATE queue_jobs SET state = 'waiting', available_at = $1, attempt_limit = attempt_limit + 1
      WHERE id = $2 AND attempt = $3 AND state = 'running' AND available_at > $1`),
    failRetry: conn.statement(`UPDATE queue_jobs SET state = 'waiting', available_at = $1, error = $2,
        attempts = (attempts::jsonb || jsonb_build_array($3::text::jsonb))::text
      WHERE id = $4 AND attempt = $5`),
    failFinal: conn.statement(`UPDATE queue_jobs SET state = 'failed', finished_at = $1, error = $2,
        attempts = (attempts::jsonb || jsonb_build_array($3::text::jsonb))::text
      WHERE id = $4 AND attempt = $5`),
    cancel: conn.statement(`UPDATE queue_jobs SET
        attempts = CASE WHEN state = 'running' THEN ${withEndedAttempt('$3', '$1::bigint')} ELSE attempts END,
        state = 'cancelled', finished_at = $1
      WHERE id = $2 AND ${LIVE}`),
    retry: conn.statement(`UPDATE queue_jobs SET state = 'waiting', available_at = $1, attempt_limit = attempt + max_attempts, finished_at = NULL
      WHERE id = $2 AND state IN ('failed', 'cancelled')`),
    get: conn.statement(`SELECT ${JOB_COLUMNS} FROM queue_jobs WHERE id = $1`),
    list: {
      all: conn.statement(`SELECT ${JOB_COLUMNS} FROM queue_jobs WHERE id < $1 ${NEWEST_FIRST} $2`),
      byQueue: conn.statement(`SELECT ${JOB_COLUMNS} FROM queue_jobs WHERE queue = $1 AND id < $2 ${NEWEST_FIRST} $3`),
      byState: conn.statement(`SELECT ${JOB_COLUMNS} FROM queue_jobs WHERE state = $1 AND id < $2 ${NEWEST_FIRST} $3`),
      byBoth: conn.statement(`SELECT ${JOB_COLUMNS} FROM queue_jobs WHERE queue = $1 AND state = $2 AND id < $3 ${NEWEST_FIRST} $4`),
    },
    // One grouped read per partial index, each reading its index alone.
    counts: conn.statement(`SELECT queue, 'waiting' AS state, count(*) AS n, count(*) FILTER (WHERE available_at > $1) AS delayed,
        min(available_at) FILTER (WHERE available_at <= $1) AS oldest FROM queue_jobs WHERE state = 'waiting' GROUP BY queue
      UNION ALL SELECT queue, 'running', count(*), 0, NULL FROM queue_jobs WHERE state = 'running' GROUP BY queue
      UNION ALL SELECT queue, state, count(*), 0, NULL FROM queue_jobs WHERE state IN ('completed', 'failed', 'cancelled') GROUP BY queue, state`),
    settings: conn.statement('SELECT queue, concurrency FROM queue_settings ORDER BY queue'),
    setConcurrency: conn.statement(`INSERT INTO queue_settings (queue, concurrency, updated_at) VALUES ($1, $2, $3)
      ON CONFLICT (queue) DO UPDATE SET concurrency = excluded.concurrency, updated_at = excluded.updated_at`),
    upsertSchedule: conn.statement(`INSERT INTO queue_schedules (name, cron, time_zone, payload, options, last_tick, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, NULL, $6, $6)
      ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone, payload = excluded.payload,
        options = excluded.options, updated_at = excluded.updated_at`, { bytea: [4] }),
    deleteSchedule: conn.statement('DELETE FROM queue_schedules WHERE name = $1'),
    schedules: conn.statement('SELECT name, cron, time_zone, payload, options, last_tick, created_at FROM queue_schedules ORDER BY name'),
    schedule: conn.statement('SELECT name, cron, time_zone, payload, options, last_tick, created_at FROM queue_schedules WHERE name = $1'),
    advanceTick: conn.statement('UPDATE queue_schedules SET last_tick = $2 WHERE name = $1 AND $2 > created_at AND (last_tick IS NULL OR last_tick < $2)'),
    deleteFinished: conn.statement('DELETE FROM queue_jobs WHERE finished_at < $1 AND state IN (SELECT jsonb_array_elements_text($2::jsonb))'),
  };
}
