/** flowstore's `store.queue` on PostgreSQL, in a scratch schema dropped afterwards. */
import type { QueueSide } from '../side.ts';
import { flowstoreSide } from './flowstore.ts';
import { dropScratch, scratchName } from './scratch.ts';

/**
 * A new flowstore side on FLOWSTORE_BENCH_POSTGRES_URL.
 *
 * @example
 * const row = await runWorkload(createSide(), { dir, postgresUrl });
 */
export function createSide(): QueueSide {
  return flowstoreSide({
    id: 'flowstore-postgres',
    name: 'flowstore store.queue, PostgreSQL',
    ground: 'postgres',
    async open(ctx, openStore) {
      const url = ctx.postgresUrl!;
      const schema = scratchName('bench_q_flowstore');
      return { store: await openStore({ path: url, postgres: { schema } }), cleanup: () => dropScratch(url, schema) };
    },
  });
}
