/**
 * BullMQ on the machine's Redis (127.0.0.1:6379): `addBulk()` for the batch, `add()` for
 * one job, a `Worker` at concurrency 64 with its defaults otherwise. Its keys live under a
 * prefix of their own, all deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobPayload, QueueSide } from '../side.ts';
import { peerVersion } from '../side.ts';

export const REDIS = { host: '127.0.0.1', port: 6379 } as const;
const NAME = 'bench';

/**
 * A new BullMQ side.
 *
 * @example
 * const row = await runWorkload(createSide(), { dir });
 */
export function createSide(): QueueSide {
  const prefix = `flowstore-bench-${randomUUID().slice(0, 8)}`;
  let queue: Queue<JobPayload>;

  return {
    id: 'bullmq',
    name: `BullMQ ${peerVersion('bullmq')} on Redis`,
    ground: 'redis',
    settings: 'Worker concurrency 64, defaults otherwise',
    async setup() {
      queue = new Queue<JobPayload>(NAME, { connection: REDIS, prefix });
      await queue.waitUntilReady();
      return undefined;
    },
    async enqueueMany(payloads) {
      await queue.addBulk(payloads.map((data) => ({ name: 'job', data })));
    },
    async enqueue(payload) {
      await queue.add('job', payload);
    },
    async work(handler, concurrency) {
      const worker = new Worker<JobPayload>(NAME, (job) => handler(job.data), { connection: REDIS, prefix, concurrency });
      worker.on('error', (error) => console.error(`bullmq: ${error.message}`));
      await worker.waitUntilReady();
      return () => worker.close();
    },
    async remaining() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'waiting-children');
      return Object.values(counts).reduce((sum, n) => sum + n, 0);
    },
    async teardown() {
      await queue.obliterate({ force: true });
      await queue.close();
      // What obliterate leaves (its event stream, counters): nothing under the prefix stays.
      const redis = new Redis(REDIS);
      try {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };
}
