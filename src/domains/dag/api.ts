/**
 * `store.dag`: the DAG executor's cache (seed 000, dagger's SqliteCache): node artifacts,
 * execution trees, snapshots and active/pending execution state. Large values and blobs
 * are deflated on the worker thread, above the store's compression threshold.
 *
 * @example
 * ```ts
 * await store.dag.saveCacheDelta('etl', { extract: { rows: 1000, at: new Date() } });
 * const cache = await store.dag.loadCache('etl'); // { extract: { rows: 1000, at: Date } }
 * await store.dag.saveExecutionTree('etl', { nodes: [{ id: 'extract', status: 'done' }] });
 * const id = await store.dag.saveSnapshot('etl', new TextEncoder().encode('checkpoint'));
 * await store.dag.saveExecutionState('etl', 'active', new Uint8Array([1, 2, 3]));
 * console.log((await store.dag.debugDump()).text);
 * ```
 */
import type { Invoker } from '../../engine/op.ts';
import { dag } from './ops.ts';
import type { CacheInput, DagCache, DagDump, ExecutionStateType, SnapshotInfo } from './schema.ts';

export class DagApi {
  readonly #invoker: Invoker;

  constructor(invoker: Invoker) {
    this.#invoker = invoker;
  }

  /**
   * Replaces every artifact of the DAG with `cache` (`nodeId → key → value`, plain objects
   * or Maps), atomically: a concurrent loadCache sees the old cache or the new one.
   */
  saveCache(dagId: string, cache: CacheInput): Promise<void> {
    return this.#invoker.invoke(dag.ops.saveCache, { dagId, cache });
  }

  /** Upserts only the given entries and moves their `updated_at`; other entries stay as they are. */
  saveCacheDelta(dagId: string, delta: CacheInput): Promise<void> {
    return this.#invoker.invoke(dag.ops.saveCacheDelta, { dagId, cache: delta });
  }

  /** Every artifact of the DAG as `{ [nodeId]: { [key]: value } }`; `{}` for an unknown DAG. */
  loadCache(dagId: string): Promise<DagCache> {
    return this.#invoker.invoke(dag.ops.loadCache, { dagId });
  }

  /** Stores the tree (any value flowstore can store) as JSON, compressed when large; replaces the previous one. */
  saveExecutionTree(dagId: string, tree: unknown): Promise<void> {
    return this.#invoker.invoke(dag.ops.saveExecutionTree, { dagId, tree });
  }

  /** The DAG's tree as saved, or `null` when there is none. */
  loadExecutionTree<T = unknown>(dagId: string): Promise<T | null> {
    return this.#invoker.invoke(dag.ops.loadExecutionTree, { dagId }) as Promise<T | null>;
  }

  /** Keeps a new snapshot (every one is kept, in order); resolves its id. */
  saveSnapshot(dagId: string, data: Uint8Array): Promise<number> {
    return this.#invoker.invoke(dag.ops.saveSnapshot, { dagId, data });
  }

  /** The most recently saved snapshot's bytes, or `null`. */
  loadLatestSnapshot(dagId: string): Promise<Uint8Array | null> {
    return this.#invoker.invoke(dag.ops.loadLatestSnapshot, { dagId });
  }

  /** One snapshot by the id saveSnapshot or listSnapshots gave, or `null`. */
  loadSnapshot(dagId: string, id: number): Promise<Uint8Array | null> {
    return this.#invoker.invoke(dag.ops.loadSnapshot, { dagId, id });
  }

  /** The DAG's snapshots, oldest first: id, size, stored size, time. */
  listSnapshots(dagId: string): Promise<SnapshotInfo[]> {
    return this.#invoker.invoke(dag.ops.listSnapshots, { dagId });
  }

  /** Deletes all but the newest `keep` snapshots of the DAG; resolves how many went. */
  pruneSnapshots(dagId: string, options: { keep: number }): Promise<number> {
    return this.#invoker.invoke(dag.ops.pruneSnapshots, { dagId, keep: options?.keep });
  }

  /** Stores the DAG's `'active'` or `'pending'` execution state, replacing the previous one. */
  saveExecutionState(dagId: string, stateType: ExecutionStateType, data: Uint8Array): Promise<void> {
    return this.#invoker.invoke(dag.ops.saveExecutionState, { dagId, stateType, data });
  }

  /** The DAG's `'active'` or `'pending'` state, or `null`. */
  loadExecutionState(dagId: string, stateType: ExecutionStateType): Promise<Uint8Array | null> {
    return this.#invoker.invoke(dag.ops.loadExecutionState, { dagId, stateType });
  }

  /** Per-DAG artifact counts, tree sizes, snapshot counts and state sizes, as data and as the document's text. */
  debugDump(): Promise<DagDump> {
    return this.#invoker.invoke(dag.ops.debugDump, {});
  }
}
