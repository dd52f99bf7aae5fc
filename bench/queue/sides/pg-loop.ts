/**
 * The limit on PostgreSQL: a queue written by hand on `pg`. A worker claims up to
 * `concurrency` due jobs in one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`,
 * runs them, and completes the batch in one statement; an enqueue sends a NOTIFY in the
 * same statement, and the idle worker LISTENs (polling behind it).
 */
import pg from 'pg';
import type { JobPayload, QueueSide } from '../side.ts';
import { countOf, dropScratch, scratchName } from './scratch.ts';

const QUEUE = 'bench';
/** For a NOTIFY missed while the listener reconnects; NOTIFY wakes the worker otherwise. */
const POLL_MS = 1_000;

const SCHEMA = `
CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  queue text NOT NULL,
  payload jsonb NOT NULL,
  state text NOT NULL DEFAULT 'waiting',
  priority int NOT NULL DEFAULT 0,
  run_at timestamptz NOT NULL DEFAULT now(),
  attempts int NOT NULL DEFAULT 0,
  lease_owner text,
  lease_until timestamptz
);
CREATE INDEX jobs_due ON jobs (queue, priority DESC, run_at, id) WHERE state = 'waiting';`;

// One NOTIFY per statement, however many rows it inserted (count(*) makes exactly one row).
const INSERT = `WITH ins AS (INSERT INTO jobs (queue, payload) SELECT $1, p FROM unnest($2::jsonb[]) AS p RETURNING id)
  SELECT pg_notify($3, $1) FROM (SELECT count(*) FROM ins) AS c`;
const CLAIM = `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $3, lease_until = now() + interval '30 seconds'
  WHERE id IN (SELECT id FROM jobs WHERE queue = $1 AND state = 'waiting' AND run_at <= now()
               ORDER BY priority DESC, run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
  RETURNING id, attempts, payload`;
// The attempt fences the completion, as in the SQLite loop.
const COMPLETE = `UPDATE jobs SET state = 'completed', lease_owner = NULL, lease_until = NULL
  FROM unnest($1::bigint[], $2::int[]) AS done (id, attempt)
  WHERE jobs.id = done.id AND jobs.attempts = done.attempt AND jobs.state = 'running'`;

interface Claimed {
  id: string;
  attempts: number;
  payload: JobPayload;
}

/**
 * A new hand-written `pg` queue side in a scratch schema.
 *
 * @example
 * const row = await runWorkload(createSide(), { dir, postgresUrl });
 */
export function createSide(): QueueSide {
  let url: string;
  let schema: string;
  let pool: pg.Pool;

  const insert = async (payloads: readonly JobPayload[]) => {
    await pool.query({ name: 'insert', text: INSERT, values: [QUEUE, payloads.map((p) => JSON.stringify(p)), schema] });
  };

  return {
    id: 'pg-loop',
    name: 'hand-written pg loop, SKIP LOCKED',
    ground: 'postgres',
    settings: 'claim 64 with SKIP LOCKED, complete 64 in one UPDATE; LISTEN/NOTIFY',
    async setup(ctx) {
      url = ctx.postgresUrl!;
      schema = scratchName('bench_q_loop');
      pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
      await pool.query(`CREATE SCHEMA ${schema}`);
      await pool.query(SCHEMA);
      return undefined;
    },
    enqueueMany: insert,
    enqueue: (payload) => insert([payload]),
    async work(handler, concurrency) {
      let running = true;
      let wake = () => {};
      // A NOTIFY that arrives while a claim is on its way may be for a job the claim did not see.
      let notified = false;
      const listener = new pg.Client({ connectionString: url });
      await listener.connect();
      listener.on('notification', () => { notified = true; wake(); });
      await listener.query(`LISTEN ${schema}`);
      const loop = async () => {
        while (running) {
          notified = false;
          const { rows } = await pool.query<Claimed>({ name: 'claim', text: CLAIM, values: [QUEUE, concurrency, 'worker-1'] });
          if (rows.length === 0) {
            if (notified) continue;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, POLL_MS);
              wake = () => { clearTimeout(timer); resolve(); };
            });
            wake = () => {};
            continue;
          }
          await Promise.all(rows.map((job) => handler(job.payload)));
          await pool.query({ name: 'complete', text: COMPLETE, values: [rows.map((j) => j.id), rows.map((j) => j.attempts)] });
        }
      };
      const done = loop();
      return async () => {
        running = false;
        wake();
        try {
          await done;
        } finally {
          await listener.end();
        }
      };
    },
    remaining: () => countOf(url, `SELECT count(*) FROM ${schema}.jobs WHERE state <> 'completed'`),
    async teardown() {
      await pool.end();
      await dropScratch(url, schema);
    },
  };
}
