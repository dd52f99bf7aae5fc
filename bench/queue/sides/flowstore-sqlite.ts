/** flowstore's `store.queue` on a file (WAL, durability 'normal' as the hand-written loop's synchronous=NORMAL). */
import { join } from 'node:path';
import type { QueueSide } from '../side.ts';
import { flowstoreSide } from './flowstore.ts';

/**
 * A new flowstore side on a file in the workload's temp directory.
 *
 * @example
 * const row = await runWorkload(createSide(), { dir });
 */
export function createSide(): QueueSide {
  return flowstoreSide({
    id: 'flowstore-sqlite',
    name: 'flowstore store.queue, file',
    ground: 'sqlite',
    open: async (ctx, openStore) => ({ store: await openStore({ path: join(ctx.dir, 'queue.db'), durability: 'normal' }) }),
  });
}
