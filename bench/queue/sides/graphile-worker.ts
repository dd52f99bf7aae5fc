/**
 * graphile-worker on PostgreSQL, in a scratch schema: `addJobs()` for the batch, `addJob()`
 * for one job, `run()` at concurrency 64 with the batching its performance page describes
 * (a local queue of concurrency + 1, completions batched), a pool of concurrency + 2 as its
 * docs recommend; LISTEN/NOTIFY wakes it (its default).
 */
import { Logger, makeWorkerUtils, run, runMigrations, type WorkerUtils } from 'graphile-worker';
import type { JobPayload, QueueSide } from '../side.ts';
import { peerVersion } from '../side.ts';
import { countOf, dropScratch, scratchName } from './scratch.ts';

const TASK = 'bench';

/** Only errors: its info lines (a line per start and stop) would be mixed into the bench's table. */
const logger = new Logger(() => (level, message) => {
  if (level === 'error') console.error(`graphile-worker: ${message}`);
});

/**
 * A new graphile-worker side.
 *
 * @example
 * const row = await runWorkload(createSide(), { dir, postgresUrl });
 */
export function createSide(): QueueSide {
  let url: string;
  let schema: string;
  let utils: WorkerUtils;

  return {
    id: 'graphile-worker',
    name: `graphile-worker ${peerVersion('graphile-worker')}`,
    ground: 'postgres',
    settings: 'concurrency 64, localQueue 65, completeJobBatchDelay 0, pool 66',
    async setup(ctx) {
      url = ctx.postgresUrl!;
      schema = scratchName('bench_q_graphile');
      await runMigrations({ connectionString: url, schema, logger });
      utils = await makeWorkerUtils({ connectionString: url, schema, logger });
      return undefined;
    },
    async enqueueMany(payloads) {
      await utils.addJobs(payloads.map((payload) => ({ identifier: TASK, payload })));
    },
    async enqueue(payload) {
      await utils.addJob(TASK, payload);
    },
    async work(handler, concurrency) {
      const runner = await run({
        connectionString: url, schema, logger, concurrency, noHandleSignals: true, maxPoolSize: concurrency + 2,
        taskList: { [TASK]: (payload) => handler(payload as JobPayload) },
        preset: { worker: { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      });
      return () => runner.stop();
    },
    // Completed jobs are deleted: what is left was not completed.
    remaining: () => countOf(url, `SELECT count(*) FROM ${schema}._private_jobs`),
    async teardown() {
      await utils.release();
      await dropScratch(url, schema);
    },
  };
}
