/**
 * `store.langgraph`: the operations behind `FlowstoreSaver` and `FlowstoreStore` from
 * `flowstore/langgraph`, on a store or on a transaction's `tx`. Values here are already
 * serde bytes; most code uses the saver and the store instead.
 *
 * @example
 * ```ts
 * const page = await store.langgraph.list({ threadId: 'thread-1', checkpointNs: '', limit: 10 });
 * await store.langgraph.prune('thread-1', 20);
 * ```
 */
import type { z } from 'zod';
import type { Invoker } from '../../engine/op.ts';
import type { readItemsInput, ReadItemsResult, writeItemsInput } from './items-schema.ts';
import { langgraph } from './ops.ts';
import type { ListInput, ListPage, PruneResult, PutCheckpointInput, PutWritesInput, WireTuple } from './schema.ts';

export class LangGraphApi {
  readonly #invoker: Invoker;

  constructor(invoker: Invoker) {
    this.#invoker = invoker;
  }

  /** Stores a checkpoint and the channel values its put says are new; resolves once committed. */
  putCheckpoint(input: PutCheckpointInput): Promise<void> {
    return this.#invoker.invoke(langgraph.ops.putCheckpoint, input);
  }

  /** Stores a task's pending writes: special channels replace, regular writes are kept if already there. */
  putWrites(input: PutWritesInput): Promise<void> {
    return this.#invoker.invoke(langgraph.ops.putWrites, input);
  }

  /** The checkpoint (the newest of the namespace without `checkpointId`), or null. */
  getTuple(threadId: string, checkpointNs: string, checkpointId?: string): Promise<WireTuple | null> {
    return this.#invoker.invoke(langgraph.ops.getTuple, { threadId, checkpointNs, checkpointId });
  }

  /** One page of checkpoints, newest first; pass `next` as `after` for the page that follows. */
  list(input: ListInput): Promise<ListPage> {
    return this.#invoker.invoke(langgraph.ops.list, input);
  }

  /** Deletes every checkpoint, blob and write of a thread; resolves to the checkpoints deleted. */
  deleteThread(threadId: string): Promise<number> {
    return this.#invoker.invoke(langgraph.ops.deleteThread, { threadId });
  }

  /** Keeps the newest `keepLast` checkpoints of each namespace of a thread, and the blobs and writes they need. */
  prune(threadId: string, keepLast: number): Promise<PruneResult> {
    return this.#invoker.invoke(langgraph.ops.prune, { threadId, keepLast });
  }

  /** A batch's reads of memory items, in one snapshot. */
  readItems(input: z.input<typeof readItemsInput>): Promise<ReadItemsResult> {
    return this.#invoker.invoke(langgraph.ops.readItems, input);
  }

  /** A batch's puts and deletes of memory items, in one transaction. */
  writeItems(input: z.input<typeof writeItemsInput>): Promise<void> {
    return this.#invoker.invoke(langgraph.ops.writeItems, input);
  }

  /** Moves the expiry of items that were read (and have a ttl) to now + their ttl. */
  refreshItems(items: [namespace: string, key: string][]): Promise<void> {
    return this.#invoker.invoke(langgraph.ops.refreshItems, { items });
  }

  /** Deletes expired memory items; resolves to how many. */
  sweepItems(): Promise<number> {
    return this.#invoker.invoke(langgraph.ops.sweepItems, {});
  }
}
