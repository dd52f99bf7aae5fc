/**
 * pg-boss on PostgreSQL, in a scratch schema: `insert()` for the batch, `send()` for one
 * job, and one `work()` fetching batches of `concurrency` jobs (handler called with the
 * batch, run all at once), fetching again at once while batches come back full
 * (`burstWhenBatchFull`), woken by LISTEN/NOTIFY (`useListenNotify`, a `notify` queue).
 */
import { PgBoss } from 'pg-boss';
import type { JobPayload, QueueSide } from '../side.ts';
import { peerVersion } from '../side.ts';
import { countOf, dropScratch, scratchName } from './scratch.ts';

const QUEUE = 'bench';

/**
 * A new pg-boss side.
 *
 * @example
 * const row = await runWorkload(createSide(), { dir, postgresUrl });
 */
export function createSide(): QueueSide {
  let url: string;
  let schema: string;
  let boss: PgBoss;

  return {
    id: 'pg-boss',
    name: `pg-boss ${peerVersion('pg-boss')}`,
    ground: 'postgres',
    settings: 'work() batchSize 64, burstWhenBatchFull; useListenNotify, queue notify',
    async setup(ctx) {
      url = ctx.postgresUrl!;
      schema = scratchName('bench_q_pgboss');
      boss = new PgBoss({ connectionString: url, schema, useListenNotify: true });
      boss.on('error', (error) => console.error(`pg-boss: ${error.message}`));
      await boss.start();
      await boss.createQueue(QUEUE, { notify: true });
      return undefined;
    },
    async enqueueMany(payloads) {
      await boss.insert(QUEUE, payloads.map((data) => ({ data })));
    },
    async enqueue(payload) {
      await boss.send(QUEUE, payload);
    },
    async work(handler, concurrency) {
      await boss.work<JobPayload>(QUEUE, { batchSize: concurrency, burstWhenBatchFull: true }, async (jobs) => {
        await Promise.all(jobs.map((job) => handler(job.data)));
      });
      return () => boss.offWork(QUEUE, { wait: true });
    },
    remaining: () => countOf(url, `SELECT count(*) FROM ${schema}.job WHERE name = $1 AND state <> 'completed'`, [QUEUE]),
    async teardown() {
      await boss.stop({ graceful: false });
      await dropScratch(url, schema);
    },
  };
}
