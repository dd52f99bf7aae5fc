/**
 * LangChain's own conformance suite for checkpointers, against FlowstoreSaver registered
 * as `flowstore` (so that no case is skipped, as some are for the official savers' names),
 * on every backend (a file, :memory:, PostgreSQL). Every checkpointer the suite asks for is a new saver on one
 * store per backend; when the suite is done with one, it deletes every thread the saver
 * wrote (what the suite's destroyCheckpointer is for), so the next starts from an empty store.
 */
import { describe } from 'vitest';
import { deltaChannelHistoryTests, specTest, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { openStore, type Store } from '../../src/index.ts';
import { BACKENDS, newLocation } from '../helpers.ts';
import { FlowstoreSaver } from '../../src/langgraph/index.ts';

for (const backend of BACKENDS) {
  describe(backend.name, () => {
    let remove: () => Promise<void>;
    let store: Store;
    const initializer: CheckpointSaverTestInitializer<FlowstoreSaver> = {
      checkpointerName: 'flowstore',
      beforeAllTimeout: 60_000,
      async beforeAll() {
        const location = await newLocation(backend.path);
        remove = location.remove;
        store = await openStore({ ...location.options, readers: 2 });
      },
      async afterAll() {
        await store.close();
        await remove();
      },
      createCheckpointer: () => new FlowstoreSaver(store),
      async destroyCheckpointer(saver) {
        const threads = new Set<string>();
        for await (const tuple of saver.list({})) threads.add(tuple.config.configurable!.thread_id as string);
        for (const thread of threads) await saver.deleteThread(thread);
      },
    };
    specTest(initializer);
    deltaChannelHistoryTests(initializer);
  });
}
