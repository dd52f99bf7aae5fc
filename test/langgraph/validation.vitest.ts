/**
 * LangChain's own conformance suite for checkpointers, against FlowstoreSaver registered
 * as `flowstore` (so that no case is skipped, as some are for the official savers' names),
 * on a file and in memory. Every checkpointer the suite asks for is a new saver on one
 * store per backend; when the suite is done with one, it deletes every thread the saver
 * wrote (what the suite's destroyCheckpointer is for), so the next starts from an empty store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { deltaChannelHistoryTests, specTest, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { openStore, type Store } from '../../src/index.ts';
import { FlowstoreSaver } from '../../src/langgraph/index.ts';

for (const backend of ['file', ':memory:'] as const) {
  describe(backend, () => {
    let dir = '';
    let store: Store;
    const initializer: CheckpointSaverTestInitializer<FlowstoreSaver> = {
      checkpointerName: 'flowstore',
      async beforeAll() {
        dir = mkdtempSync(join(tmpdir(), 'flowstore-lg-validation-'));
        store = await openStore({ path: backend === 'file' ? join(dir, 'validation.db') : ':memory:', readers: 2 });
      },
      async afterAll() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
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
