/**
 * The limit on SQLite: a queue written by hand on node:sqlite, on the main thread. A worker
 * claims up to `concurrency` due jobs in one `BEGIN IMMEDIATE … UPDATE … RETURNING`, runs
 * them, and completes the batch in one transaction; an enqueue in the same process wakes it.
 */
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { JobPayload, QueueSide } from '../side.ts';

const QUEUE = 'bench';
const LEASE_MS = 30_000;
/** For jobs enqueued by other processes; this process's enqueues wake the worker at once. */
const POLL_MS = 1_000;

const SCHEMA = `
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  queue TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'waiting',
  priority INTEGER NOT NULL DEFAULT 0,
  run_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until INTEGER
) STRICT;
CREATE INDEX jobs_due ON jobs (queue, priority DESC, run_at, id) WHERE state = 'waiting';`;

interface Claimed {
  id: number;
  attempts: number;
  payload: string;
}

/**
 * A new hand-written node:sqlite queue side on a temp file (WAL, synchronous=NORMAL).
 *
 * @example
 * const row = await runWorkload(createSide(), { dir });
 */
export function createSide(): QueueSide {
  let db: DatabaseSync;
  let insert: StatementSync;
  let claim: StatementSync;
  let complete: StatementSync;
  let wake = () => {};

  return {
    id: 'sqlite-loop',
    name: 'hand-written node:sqlite loop, main thread',
    ground: 'sqlite',
    settings: 'claim 64 in one UPDATE … RETURNING, complete 64 in one transaction',
    async setup(ctx) {
      db = new DatabaseSync(join(ctx.dir, 'loop.db'));
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      db.exec(SCHEMA);
      insert = db.prepare('INSERT INTO jobs (queue, payload, run_at) VALUES (?, ?, ?)');
      claim = db.prepare(`UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?
        WHERE id IN (SELECT id FROM jobs WHERE queue = ? AND state = 'waiting' AND run_at <= ?
                     ORDER BY priority DESC, run_at, id LIMIT ?)
        RETURNING id, attempts, payload`);
      // The attempt fences the completion: a job re-claimed after its lease passed is not completed twice.
      complete = db.prepare(`UPDATE jobs SET state = 'completed', lease_owner = NULL, lease_until = NULL
        WHERE id = ? AND state = 'running' AND attempts = ?`);
      return undefined;
    },
    async enqueueMany(payloads) {
      const now = Date.now();
      db.exec('BEGIN');
      try {
        for (const payload of payloads) insert.run(QUEUE, JSON.stringify(payload), now);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
      wake();
    },
    async enqueue(payload) {
      insert.run(QUEUE, JSON.stringify(payload), Date.now());
      wake();
    },
    async work(handler, concurrency) {
      let running = true;
      const claimBatch = (): Claimed[] => {
        const now = Date.now();
        db.exec('BEGIN IMMEDIATE');
        const rows = claim.all('worker-1', now + LEASE_MS, QUEUE, now, concurrency) as unknown as Claimed[];
        db.exec('COMMIT');
        return rows;
      };
      const completeBatch = (jobs: readonly Claimed[]) => {
        db.exec('BEGIN IMMEDIATE');
        for (const job of jobs) complete.run(job.id, job.attempts);
        db.exec('COMMIT');
      };
      const loop = async () => {
        while (running) {
          const jobs = claimBatch();
          if (jobs.length === 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, POLL_MS);
              wake = () => { clearTimeout(timer); resolve(); };
            });
            wake = () => {};
            continue;
          }
          await Promise.all(jobs.map((job) => handler(JSON.parse(job.payload) as JobPayload)));
          completeBatch(jobs);
        }
      };
      const done = loop();
      return async () => {
        running = false;
        wake();
        await done;
      };
    },
    async remaining() {
      const row = db.prepare("SELECT count(*) AS n FROM jobs WHERE state <> 'completed'").get() as { n: number };
      return row.n;
    },
    async teardown() {
      db.close();
    },
  };
}
