/**
 * The queue workload on every side whose ground answers: flowstore's `store.queue` beside
 * what a user would pick instead, on SQLite (a hand-written node:sqlite loop), PostgreSQL
 * (FLOWSTORE_BENCH_POSTGRES_URL: a hand-written `pg` loop, graphile-worker, pg-boss) and
 * Redis (BullMQ). `bench/run.ts` calls it after the pair cases; alone:
 * `node bench/queue/run.ts`. Side names read `queue/<ground>: <id>` for BENCH_ONLY.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSide as bullmq, REDIS } from './sides/bullmq.ts';
import { createSide as flowstorePostgres } from './sides/flowstore-postgres.ts';
import { createSide as flowstoreSqlite } from './sides/flowstore-sqlite.ts';
import { createSide as graphileWorker } from './sides/graphile-worker.ts';
import { createSide as pgBoss } from './sides/pg-boss.ts';
import { createSide as pgLoop } from './sides/pg-loop.ts';
import { createSide as sqliteLoop } from './sides/sqlite-loop.ts';
import type { Ground, QueueSide } from './side.ts';
import { checkTargets, printTargets, type TargetResult } from './targets.ts';
import { CONCURRENCY, JOBS, PROBES, runWorkload, type QueueRow } from './workload.ts';

const SIDES: ReadonlyArray<() => QueueSide> = [flowstoreSqlite, sqliteLoop, bullmq, flowstorePostgres, pgLoop, graphileWorker, pgBoss];

export interface QueueResults {
  readonly jobs: number;
  readonly concurrency: number;
  readonly probes: number;
  readonly rows: QueueRow[];
  readonly notRun: Array<{ id: string; ground: Ground; reason: string }>;
  readonly targets: TargetResult[];
}

/** Whatever answers PING with +PONG within a second at `REDIS`; the reason otherwise. */
function redisAnswers(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection(REDIS);
    const end = (reason?: string) => { socket.destroy(); resolve(reason); };
    socket.setTimeout(1000, () => end(`no answer from Redis at ${REDIS.host}:${REDIS.port} within 1 s`));
    socket.on('error', (error) => end(`no Redis at ${REDIS.host}:${REDIS.port} (${error.message})`));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => end(data.toString().startsWith('+PONG') ? undefined : `Redis at ${REDIS.host}:${REDIS.port} answered ${data.toString().trim()}`));
  });
}

/** Why each ground cannot be used here (absent when it can). */
async function groundReasons(postgresUrl: string | undefined): Promise<Partial<Record<Ground, string>>> {
  return {
    postgres: postgresUrl ? undefined : 'FLOWSTORE_BENCH_POSTGRES_URL is not set',
    redis: await redisAnswers(),
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Runs the workload on each side whose `queue/<ground>: <id>` holds one of `wanted` (all
 * when empty), prints a table and the targets, and returns both.
 *
 * @example
 * const results = await runQueueBench(['queue/sqlite']);
 */
export async function runQueueBench(wanted: readonly string[]): Promise<QueueResults> {
  const sides = SIDES.map((create) => create())
    .filter((side) => wanted.length === 0 || wanted.some((part) => `queue/${side.ground}: ${side.id}`.includes(part)));
  const results: QueueResults = { jobs: JOBS, concurrency: CONCURRENCY, probes: PROBES, rows: [], notRun: [], targets: [] };
  if (sides.length === 0) return results;
  const postgresUrl = process.env.FLOWSTORE_BENCH_POSTGRES_URL;
  const grounds = await groundReasons(postgresUrl);
  const why = new Map<string, string>();
  for (const side of sides) {
    const name = `queue/${side.ground}: ${side.id}`;
    const notRun = (reason: string) => {
      results.notRun.push({ id: side.id, ground: side.ground, reason });
      why.set(side.id, reason);
      console.log(`${name}: ${reason}`);
    };
    const groundReason = grounds[side.ground];
    if (groundReason !== undefined) { notRun(`skipped: ${groundReason}`); continue; }
    const dir = mkdtempSync(join(tmpdir(), 'flowstore-bench-queue-'));
    try {
      const row = await runWorkload(side, { dir, postgresUrl });
      if ('skip' in row) { notRun(`skipped: ${row.skip}`); continue; }
      results.rows.push(row);
      console.log(`${name}: enqueue ${fmt(row.enqueuePerSec)}/s, processed ${fmt(row.processedPerSec)}/s, `
        + `enqueue→start p50 ${row.p50Ms.toFixed(2)} ms, p95 ${row.p95Ms.toFixed(2)} ms${row.remaining === undefined ? '' : `, ${row.remaining} left`}`);
    } catch (error) {
      process.exitCode = 1;
      notRun(`failed: ${(error as Error).stack ?? error}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log();
  console.log(`Queue workload: ${JOBS.toLocaleString('en-US')} jobs, concurrency ${CONCURRENCY}, ${PROBES} probes for enqueue→start`);
  console.log('| side | ground | enqueue/s | processed/s | enqueue→start p50 / p95 ms | left | settings |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of results.rows) {
    console.log(`| ${row.name} | ${row.ground} | ${fmt(row.enqueuePerSec)} | ${fmt(row.processedPerSec)} | ${row.p50Ms.toFixed(2)} / ${row.p95Ms.toFixed(2)} | ${row.remaining ?? '–'} | ${row.settings} |`);
  }
  for (const { id, ground, reason } of results.notRun) console.log(`| ${id} | ${ground} | ${reason.split('\n')[0]} | | | | |`);
  console.log();
  results.targets.push(...checkTargets(new Set(sides.map((side) => side.id)), results.rows, why));
  printTargets(results.targets);
  return results;
}

if (import.meta.main) {
  await runQueueBench(process.env.BENCH_ONLY?.split('|').filter(Boolean) ?? []);
}
