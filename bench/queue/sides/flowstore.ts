/**
 * What the two flowstore sides share: `store.queue` behind the workload's calls. flowstore
 * is imported when a side is set up.
 */
import type { Store } from '../../../src/index.ts';
import type { Ground, JobPayload, QueueContext, QueueSide } from '../side.ts';

const QUEUE = 'bench';
const LEASE_MS = 30_000;

export interface FlowstoreGround {
  readonly id: string;
  readonly name: string;
  readonly ground: Ground;
  /** Opens the store this side runs on; `cleanup` runs after the store is closed. */
  open(ctx: QueueContext, openStore: typeof import('../../../src/index.ts').openStore): Promise<{ store: Store; cleanup?: () => Promise<void> }>;
}

/**
 * A queue side on flowstore, opened the way `ground` says.
 *
 * @example
 * export const createSide = () => flowstoreSide({ id: 'flowstore-sqlite', name: 'flowstore, file', ground: 'sqlite',
 *   open: async (ctx, openStore) => ({ store: await openStore({ path: join(ctx.dir, 'queue.db') }) }) });
 */
export function flowstoreSide(ground: FlowstoreGround): QueueSide {
  let store: Store;
  let cleanup: (() => Promise<void>) | undefined;

  return {
    id: ground.id,
    name: ground.name,
    ground: ground.ground,
    settings: `store.queue.work concurrency 64, leaseMs ${LEASE_MS}`,
    async setup(ctx) {
      const { openStore } = await import('../../../src/index.ts');
      ({ store, cleanup } = await ground.open(ctx, openStore));
      return undefined;
    },
    async enqueueMany(payloads) {
      await store.queue.enqueueMany(QUEUE, payloads.map((payload) => ({ payload })));
    },
    async enqueue(payload) {
      await store.queue.enqueue(QUEUE, payload);
    },
    async work(handler, concurrency) {
      const worker = store.queue.work<JobPayload>(QUEUE, (job) => handler(job.payload), { concurrency, leaseMs: LEASE_MS });
      return () => worker.stop();
    },
    async remaining() {
      const stats = (await store.queue.stats()).find((s) => s.queue === QUEUE);
      return stats ? stats.waiting + stats.delayed + stats.running + stats.failed : 0;
    },
    async teardown() {
      await store.close();
      await cleanup?.();
    },
  };
}
