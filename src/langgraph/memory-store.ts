/**
 * `FlowstoreStore`: LangGraph's long-term memory (a BaseStore) on a flowstore store. A
 * batch's reads run in one reader snapshot, its puts and deletes commit in one write;
 * search finds items by their fields (`filter`) and by the words of their text (`query`,
 * SQLite FTS5); items may expire (`ttl` in minutes) and an expired item never comes back.
 *
 * @example
 * ```ts
 * import { FlowstoreSaver, FlowstoreStore } from 'flowstore/langgraph';
 * const checkpointer = await FlowstoreSaver.open({ path: './agents.db' });
 * const memories = new FlowstoreStore(checkpointer.store, { ttl: { defaultTtl: 60 * 24 } });
 * await memories.put(['users', 'u1', 'facts'], 'tz', { text: 'lives in Lisbon', kind: 'place' });
 * const hits = await memories.search(['users', 'u1'], { query: 'Lisbon', filter: { kind: 'place' } });
 * ```
 */
import {
  BaseStore,
  type GetOperation, type Item, type ListNamespacesOperation, type Operation, type OperationResults, type PutOperation,
  type SearchItem, type SearchOperation,
} from '@langchain/langgraph-checkpoint';
import type { ReadItemsResult } from '../domains/langgraph/items-schema.ts';
import { FlowstoreError, isFlowstoreError } from '../errors.ts';
import type { StoreOptions } from '../store.ts';
import { openStore, type Store } from '../store.ts';
import { invalid } from './config.ts';
import { itemStoreOptionsSchema, parseOwn, splitOptions, type FlowstoreStoreOptions } from './options.ts';

type Kind = 'gets' | 'searches' | 'lists' | 'puts';

/** LangGraph's own way of telling its operations apart (as its InMemoryStore does). */
function kindOf(op: unknown): Kind | undefined {
  if (typeof op !== 'object' || op === null) return undefined;
  if ('namespacePrefix' in op) return 'searches';
  if ('value' in op) return 'puts';
  if ('namespace' in op && 'key' in op) return 'gets';
  if ('matchConditions' in op || 'maxDepth' in op || 'limit' in op || 'offset' in op) return 'lists';
  return undefined;
}

/** A put with flowstore's ttl (minutes; null: never expires). */
export type FlowstorePutOperation = PutOperation & { ttl?: number | null };
export type FlowstoreGetOperation = GetOperation & { refreshTtl?: boolean };
export type FlowstoreSearchOperation = SearchOperation & { refreshTtl?: boolean };

const owners = new WeakSet<FlowstoreStore>();

export class FlowstoreStore extends BaseStore {
  readonly store: Store;
  readonly #defaultTtl: number | null;
  readonly #refreshOnRead: boolean;

  /** A memory store on an open flowstore store (often the saver's: `new FlowstoreStore(checkpointer.store)`). */
  constructor(store: Store, options: FlowstoreStoreOptions = {}) {
    super();
    const { ttl } = parseOwn(itemStoreOptionsSchema, options);
    this.store = store;
    this.#defaultTtl = ttl.defaultTtl;
    this.#refreshOnRead = ttl.refreshOnRead;
  }

  /** Opens a flowstore store of its own (`openStore`'s options, plus `ttl`); `stop()` closes it. */
  static async open(options: StoreOptions & FlowstoreStoreOptions = {}): Promise<FlowstoreStore> {
    const [storeOptions, own] = splitOptions(options as Record<string, unknown>, ['ttl']);
    parseOwn(itemStoreOptionsSchema, own);
    const memories = new this(await openStore(storeOptions), own as FlowstoreStoreOptions);
    owners.add(memories);
    return memories;
  }

  batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    return this.#run(operations, (i) => `operations.${i}`) as Promise<OperationResults<Op>>;
  }

  override async get(namespace: string[], key: string, options: { refreshTtl?: boolean } = {}): Promise<Item | null> {
    const [item] = await this.#run([{ namespace, key, ...options }], () => '');
    return item as Item | null;
  }

  override async search(namespacePrefix: string[], options: { filter?: Record<string, any>; limit?: number; offset?: number; query?: string; refreshTtl?: boolean } = {}): Promise<SearchItem[]> {
    const [items] = await this.#run([{ namespacePrefix, ...options }], () => '');
    return items as SearchItem[];
  }

  /** Stores `value` under `namespace`/`key`; `options.ttl` in minutes (null: never expires) overrides the store's default. */
  override async put(namespace: string[], key: string, value: Record<string, any>, index?: false | string[], options: { ttl?: number | null } = {}): Promise<void> {
    await this.#run([{ namespace, key, value, ...(index === undefined ? {} : { index }), ...options }], () => '');
  }

  override async delete(namespace: string[], key: string): Promise<void> {
    await this.#run([{ namespace, key, value: null }], () => '');
  }

  override async listNamespaces(options: { prefix?: string[]; suffix?: string[]; maxDepth?: number; limit?: number; offset?: number } = {}): Promise<string[][]> {
    const { prefix, suffix, ...rest } = options;
    const matchConditions = [
      ...(prefix === undefined ? [] : [{ matchType: 'prefix' as const, path: prefix }]),
      ...(suffix === undefined ? [] : [{ matchType: 'suffix' as const, path: suffix }]),
    ];
    const [namespaces] = await this.#run([{ matchConditions, ...rest } satisfies Partial<ListNamespacesOperation>], () => '');
    return namespaces as string[][];
  }

  /** Deletes expired items now (reads never return them either way); resolves to how many. */
  sweep(): Promise<number> {
    return this.store.langgraph.sweepItems();
  }

  /** Closes the flowstore store when this memory store opened it (`FlowstoreStore.open`). */
  override async stop(): Promise<void> {
    if (owners.has(this)) await this.store.close();
  }

  /**
   * Reads first, in one snapshot (refreshing the ttl of what was read), then the puts and
   * deletes, in one transaction: the batch's reads see the store as it was before it.
   */
  async #run(operations: readonly unknown[], where: (i: number) => string): Promise<unknown[]> {
    if (!Array.isArray(operations)) throw invalid('operations', 'must be an array');
    const groups: Record<Kind, unknown[]> = { gets: [], searches: [], lists: [], puts: [] };
    const placed: [Kind, number][] = operations.map((op, i) => {
      const kind = kindOf(op);
      if (kind === undefined) throw invalid(where(i) || 'operation', 'is not a get, search, put or listNamespaces operation');
      return [kind, groups[kind].push(op) - 1];
    });
    const rename = (error: unknown) => { throw renamed(error, placed, where); };
    let read: ReadItemsResult | undefined;
    if (groups.gets.length + groups.searches.length + groups.lists.length > 0) {
      read = await this.store.langgraph.readItems({ gets: groups.gets as never, searches: groups.searches as never, lists: groups.lists as never, refreshOnRead: this.#refreshOnRead }).catch(rename);
      if (read.refresh.length > 0) await this.store.langgraph.refreshItems(read.refresh);
    }
    if (groups.puts.length > 0) await this.store.langgraph.writeItems({ puts: groups.puts as never, defaultTtl: this.#defaultTtl }).catch(rename);
    return placed.map(([kind, i]) => (kind === 'puts' ? undefined : read![kind][i]));
  }
}

/** A validation error names the field as the caller wrote it: `operations.3.namespace.0`, or `namespace.0` for a single call. */
function renamed(error: unknown, placed: readonly [Kind, number][], where: (i: number) => string): unknown {
  if (!isFlowstoreError(error) || error.code !== 'FLOWSTORE_INVALID_ARGUMENT' || typeof error.details.field !== 'string') return error;
  const [kind, index, ...rest] = error.details.field.split('.');
  const position = placed.findIndex(([k, i]) => k === kind && String(i) === index);
  if (position === -1) return error;
  const field = [where(position), ...rest].filter((part) => part !== '').join('.') || 'operation';
  const issue = (error.details.issues as { message?: string }[] | undefined)?.[0]?.message ?? error.message;
  return new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${field}: ${issue}`, { details: { ...error.details, field }, cause: error });
}
