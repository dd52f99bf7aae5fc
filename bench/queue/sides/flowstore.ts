/**
 * What the two flowstore sides share: `store.queue` (issue 25) behind the workload's calls.
 * The queue is written against the API the issue specifies; until a store has one, the
 * sides skip with that reason. flowstore is imported when a side is set up, so that the
 * peers still run while the library is in pieces.
 */
import type { Store } from '../../../src/index.ts';
import type { Ground, JobPayload, QueueContext, QueueSide } from '../side.ts';

const QUEUE = 'bench';
const LEASE_MS = 30_000;

/** The part of `store.queue` the workload calls, as issue 25 specifies it. */
interface IntendedQueue {
  enqueue(queue: string, payload: unknown): Promise<unknown>;
  enqueueMany(queue: string, jobs: ReadonlyArray<{ payload: unknown }>): Promise<unknown[]>;
  work(
    queue: string,
    handler: (job: { payload: unknown }, context: { signal: AbortSignal }) => Promise<void>,
    options: { concurrency: number; leaseMs: number },
  ): { stop(): Promise<void> };
}

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
  let queue: IntendedQueue;
  let cleanup: (() => Promise<void>) | undefined;

  return {
    id: ground.id,
    name: ground.name,
    ground: ground.ground,
    settings: `store.queue.work concurrency 64, leaseMs ${LEASE_MS}`,
    async setup(ctx) {
      const { openStore } = await import('../../../src/index.ts');
      ({ store, cleanup } = await ground.open(ctx, openStore));
      const candidate = (store as unknown as { queue?: IntendedQueue }).queue;
      if (candidate === undefined) {
        await store.close();
        await cleanup?.();
        return { skip: 'store.queue is not in this build yet (issue 25)' };
      }
      queue = candidate;
      return undefined;
    },
    async enqueueMany(payloads) {
      await queue.enqueueMany(QUEUE, payloads.map((payload) => ({ payload })));
    },
    async enqueue(payload) {
      await queue.enqueue(QUEUE, payload);
    },
    async work(handler, concurrency) {
      const worker = queue.work(QUEUE, (job) => handler(job.payload as JobPayload), { concurrency, leaseMs: LEASE_MS });
      return () => worker.stop();
    },
    async teardown() {
      await store.close();
      await cleanup?.();
    },
  };
}
