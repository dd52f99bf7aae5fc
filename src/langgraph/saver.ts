/**
 * `FlowstoreSaver`: a LangGraph checkpointer on a flowstore store. Reads run in the reader
 * pool, writes group-commit with the store's other writes, and a put resolves only after
 * its commit. Channel values are stored once per version (see the migration's layout),
 * and versions are fork-safe (see versions.ts).
 *
 * @example
 * ```ts
 * import { FlowstoreSaver } from 'flowstore/langgraph';
 * const checkpointer = await FlowstoreSaver.open({ path: './agents.db' });
 * const graph = workflow.compile({ checkpointer });
 * await graph.invoke(input, { configurable: { thread_id: 'thread-1' } });
 * await checkpointer.prune('thread-1', { keepLast: 20 });
 * ```
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  type ChannelVersions, type Checkpoint, type CheckpointListOptions, type CheckpointMetadata, type CheckpointTuple, type PendingWrite,
} from '@langchain/langgraph-checkpoint';
import type { ListCursor, ListPage, PruneResult } from '../domains/langgraph/schema.ts';
import { openStore, type Store } from '../store.ts';
import { checkedId, checkedRecord, invalid, targetOf, threadTarget } from './config.ts';
import { parseOwn, saverOptionsSchema, splitOptions, type FlowstoreSaverOptions } from './options.ts';
import { decodeTuple, encodeCheckpoint, encodeWrites } from './tuples.ts';
import { nextVersion } from './versions.ts';
import type { StoreOptions } from '../store.ts';

/** The longest list() decodes on the caller's thread before letting its event loop turn. */
const LIST_SLICE_MS = 4;

/** Savers that opened their own store, and so close it. */
const owners = new WeakSet<FlowstoreSaver>();

export class FlowstoreSaver extends BaseCheckpointSaver {
  /** The flowstore store the checkpoints live in (share it: `new FlowstoreStore(checkpointer.store)`). */
  readonly store: Store;
  readonly #pageSize: number;

  /** A saver on an open store; closing the store is the caller's business. */
  constructor(store: Store, options: FlowstoreSaverOptions = {}) {
    const parsed = parseOwn(saverOptionsSchema, options);
    super(parsed.serde);
    this.store = store;
    this.#pageSize = parsed.listPageSize;
  }

  /** Opens a store of its own (`openStore`'s options, plus the saver's); `close()` closes it. */
  static async open(options: StoreOptions & FlowstoreSaverOptions = {}): Promise<FlowstoreSaver> {
    const [storeOptions, own] = splitOptions(options as Record<string, unknown>, ['serde', 'listPageSize']);
    parseOwn(saverOptionsSchema, own);
    const store = await openStore(storeOptions);
    const saver = new this(store, own as FlowstoreSaverOptions);
    owners.add(saver);
    return saver;
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const { threadId, checkpointNs = '', checkpointId } = targetOf(config);
    if (threadId === undefined) return undefined;
    const wire = await this.store.langgraph.getTuple(threadId, checkpointNs, checkpointId);
    return wire === null ? undefined : decodeTuple(this.serde, wire, () => nextVersion(undefined));
  }

  /** Newest first, fetched a page at a time (the next page while this one is consumed). */
  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { threadId, checkpointNs, checkpointId } = targetOf(config);
    checkedRecord(options, 'options');
    const { limit, before, filter } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw invalid('options.limit', 'must be a non-negative integer');
    const beforeId = before === undefined ? undefined : targetOf(before, 'options.before').checkpointId;
    let filterText: string | undefined;
    if (filter !== undefined && filter !== null) {
      checkedRecord(filter, 'options.filter');
      if (Object.keys(filter).length > 0) {
        try {
          filterText = JSON.stringify(filter);
        } catch {
          throw invalid('options.filter', 'must be JSON');
        }
      }
    }
    let remaining = limit ?? Number.POSITIVE_INFINITY;
    const fetch = (after: ListCursor | undefined): Promise<ListPage> => this.store.langgraph.list({
      threadId, checkpointNs, checkpointId, before: beforeId, filter: filterText, after,
      limit: Math.min(this.#pageSize, remaining),
    });
    let page = remaining > 0 ? fetch(undefined) : undefined;
    let slice = performance.now();
    while (page !== undefined) {
      const { tuples, next } = await page;
      remaining -= tuples.length;
      page = next !== undefined && remaining > 0 ? fetch(next) : undefined;
      // A page that is not awaited when the caller stops early must not reject unhandled.
      page?.catch(() => {});
      for (const wire of tuples) {
        yield await decodeTuple(this.serde, wire, () => nextVersion(undefined));
        // Decoding is the caller's thread's work and every step of it a microtask: a long list
        // lets timers and I/O run every few milliseconds instead of once per page.
        if (performance.now() - slice > LIST_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
      }
    }
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    const { threadId, checkpointNs = '', checkpointId: parentId } = threadTarget(config);
    const encoded = await encodeCheckpoint(this.serde, checkpoint, metadata, newVersions);
    await this.store.langgraph.putCheckpoint({ threadId, checkpointNs, parentId: parentId ?? null, ...encoded });
    return { configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpoint.id } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    const { threadId, checkpointNs = '', checkpointId } = threadTarget(config);
    if (checkpointId === undefined) throw invalid('config.configurable.checkpoint_id', 'is required');
    checkedId(taskId, 'taskId');
    if (typeof taskPath !== 'string') throw invalid('taskPath', 'must be a string');
    const encoded = await encodeWrites(this.serde, writes);
    await this.store.langgraph.putWrites({ threadId, checkpointNs, checkpointId, taskId, taskPath, writes: encoded });
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.store.langgraph.deleteThread(checkedId(threadId, 'threadId'));
  }

  /**
   * Retention LangGraph's savers lack: keeps the newest `keepLast` checkpoints of each
   * namespace of a thread, with the channel values and pending writes they need, and
   * deletes the rest. What is left reads as before; history ends at the oldest kept.
   */
  prune(threadId: string, options: { keepLast: number }): Promise<PruneResult> {
    try {
      checkedId(threadId, 'threadId');
      checkedRecord(options, 'options');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.store.langgraph.prune(threadId, options.keepLast);
  }

  /**
   * Fork-safe versions: a counter and a random part, so that two branches never share one
   * (see versions.ts). They are strings; the declared type is LangGraph's default saver
   * type (number), the one `compile({ checkpointer })` accepts, while LangGraph's runtime
   * compares versions of either kind (compareChannelVersions).
   */
  override getNextVersion(current: number | undefined): number {
    return nextVersion(current as number | string | undefined) as unknown as number;
  }

  /** Closes the store when the saver opened it (`FlowstoreSaver.open`); otherwise does nothing. */
  async close(): Promise<void> {
    if (owners.has(this)) await this.store.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
