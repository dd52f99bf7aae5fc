/**
 * The façade: `openStore()` and the `Store` every domain hangs from.
 *
 * @example
 * ```ts
 * import { openStore } from 'flowstore';
 * await using store = await openStore({ path: './flowstore.db' });
 * await store.runs.saveState('run_1', { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1',
 *   pipelineContext: {}, lastStepOutput: null, status: 'running' });
 * ```
 */
import type { Engine, TransactionOptions } from './engine/engine.ts';
import type { MetricsSnapshot } from './engine/metrics.ts';
import type { AdminApi, BackupOptions, CleanupOptions, CleanupResult, ExportProgress } from './domains/admin/api.ts';
import type { ImportProgress, ImportSummary } from './domains/admin/import.ts';
import type { AppliedMigration, TableStats } from './domains/admin/maintenance.ts';
import type { ExportSummary } from './domains/admin/transfer.ts';
import type { RunsApi } from './domains/runs/api.ts';
import type { AgentsApi } from './domains/agents/api.ts';
import type { DagApi } from './domains/dag/api.ts';
import type { DefinitionsApi } from './domains/definitions/api.ts';
import type { AaowApi } from './domains/aaow/api.ts';
import type { LangGraphApi } from './domains/langgraph/api.ts';
import type { QueueApi, QueueRuntime } from './domains/queue/api.ts';
import type { OpenWorkflowApi } from './domains/openworkflow/api.ts';
import type { Namespaces, StoreParts, Transaction } from './facade.ts';
import type { Invoker, Op } from './engine/op.ts';
// A namespace: Node 20 has no enableCompileCache, and must still load this far to say which Node flowstore needs.
import * as nodeModule from 'node:module';
import { FlowstoreError } from './errors.ts';
import { EarlyWriter } from './engine/early-writer.ts';
import { assertSupportedRuntime } from './node-support.ts';
import type { StoreOptions } from './backends/index.ts';
import type { BackendName } from './engine/op.ts';

export type { StoreOptions } from './backends/index.ts';
export type { Namespaces, SqlValue, Transaction } from './facade.ts';

function closedError(): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_CLOSED', 'the store is closed');
}

export class Store implements Namespaces, AsyncDisposable {
  readonly query: Namespaces['query'];
  readonly #engine: Engine;
  readonly #parts: StoreParts;
  readonly #ns: Namespaces;
  #closing: Promise<void> | undefined;

  /** Use {@link openStore}. */
  constructor(engine: Engine, parts: StoreParts) {
    this.#engine = engine;
    this.#parts = parts;
    // Once close() is called, calls are refused, but a running job's handler still has the store
    // while the workers let it finish.
    const gate: Invoker = {
      invoke: (op, input) => (this.#closing && !parts.insideJob() ? Promise.reject(closedError()) : engine.invoke(op as Op<any, any, any>, input)),
    };
    this.#ns = parts.namespaces(gate, {
      workflowPath: () => engine.options.workflowPath, transaction: (fn) => this.transaction(fn),
      wake: (queue) => parts.queueRuntime().wakeups.notify(queue), queueRuntime: parts.queueRuntime,
    });
    this.query = this.#ns.query;
  }

  get runs(): RunsApi {
    return this.#ns.runs;
  }

  get agents(): AgentsApi {
    return this.#ns.agents;
  }

  get dag(): DagApi {
    return this.#ns.dag;
  }

  get definitions(): DefinitionsApi {
    return this.#ns.definitions;
  }

  get aaow(): AaowApi {
    return this.#ns.aaow;
  }

  get langgraph(): LangGraphApi {
    return this.#ns.langgraph;
  }

  get queue(): QueueApi {
    return this.#ns.queue;
  }

  get openworkflow(): OpenWorkflowApi {
    return this.#ns.openworkflow;
  }

  /** Where the store lives: the file path, `':memory:'`, or the server's URL without its password. */
  get path(): string {
    return this.#engine.location.display;
  }

  /** `'sqlite'` or `'postgres'`. */
  get backend(): BackendName {
    return this.#engine.location.backend;
  }

  get closed(): boolean {
    return this.#engine.closed;
  }

  /** Opened with `readOnly: true`: readers only, every write rejects with FLOWSTORE_READ_ONLY. */
  get readOnly(): boolean {
    return this.#engine.options.readOnly;
  }

  /**
   * True once reads, writes or transactions have reached the `highWaterMark` option (calls
   * past it wait their turn, or reject with FLOWSTORE_OVERLOADED past `maxWaiting`), until
   * nothing waits and they are back at half of it. As with a stream's `write()` returning
   * false: a caller that would rather not hold its calls in memory stops and awaits {@link drained}.
   *
   * @example
   * ```ts
   * for (const [id, state] of states) {
   *   store.runs.saveState(id, state).catch(report);
   *   if (store.needsDrain) await store.drained();
   * }
   * ```
   */
  get needsDrain(): boolean {
    return this.#engine.needsDrain;
  }

  /** Resolves once there is room again (at once when there is): nothing waits, and the depth is back at half the high-water mark. */
  drained(): Promise<void> {
    return this.#engine.drained();
  }

  /**
   * Runs `fn` in one transaction: its writes commit together when it resolves and
   * not at all when it throws; reads through `tx` see them; other writes wait.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T> | T, options?: TransactionOptions): Promise<T> {
    const parts = this.#parts;
    if (this.#closing && !parts.insideJob()) return Promise.reject(closedError());
    return this.#engine.transaction((invoker, onCommit) => parts.namespaces(invoker, {
      // The root the store's definitions remember (refresh(path) changes it); asked only when tx.definitions is first used.
      workflowPath: () => this.definitions.path,
      transaction: (inner) => this.transaction(inner),
      // A job enqueued in the transaction exists for the workers once it commits.
      wake: (queue) => onCommit(() => parts.queueRuntime().wakeups.notify(queue)),
    }), fn, options);
  }

  /**
   * Run in a reader. SQLite: `PRAGMA integrity_check`. PostgreSQL: every index valid, every
   * constraint validated, every table readable, and amcheck's checks when the database has it.
   */
  checkIntegrity(): Promise<{ ok: boolean; messages: string[] }> {
    return this.#parts.checkIntegrity();
  }

  /**
   * Online backup of the live store to the file `dest`, from one snapshot: writes go on
   * meanwhile. SQLite's backup API; a PostgreSQL store is copied into a new SQLite file
   * (its export, imported). FLOWSTORE_CONFLICT when `dest` exists, unless `overwrite`.
   */
  backup(dest: string, options?: BackupOptions): Promise<{ dest: string; pages: number }> {
    return this.#parts.admin().backup(dest, options);
  }

  /** VACUUM (PostgreSQL: VACUUM (ANALYZE) of the store's tables), alone on the writer between batches. */
  vacuum(): Promise<void> {
    return this.#parts.admin().vacuum();
  }

  /** A compacted copy in a new file: `VACUUM INTO` on SQLite, a SQLite copy of a PostgreSQL store. */
  vacuumInto(dest: string): Promise<{ dest: string }> {
    return this.#parts.admin().vacuumInto(dest);
  }

  /** Retention across domains in one transaction: finished work older than `olderThanDays`; never running work. */
  cleanup(options: CleanupOptions): Promise<CleanupResult> {
    return this.#parts.admin().cleanup(options);
  }

  /** Every table as JSON lines, from one snapshot, paged so that memory stays bounded. */
  exportJsonl(output: Parameters<AdminApi['exportJsonl']>[0], options?: { onProgress?: (progress: ExportProgress) => void }): Promise<ExportSummary> {
    return this.#parts.admin().exportJsonl(output, options);
  }

  /** Imports what {@link exportJsonl} wrote into this (empty) store, in one transaction. */
  importJsonl(input: Parameters<AdminApi['importJsonl']>[0], options?: { onProgress?: (progress: ImportProgress) => void; timeoutMs?: number }): Promise<ImportSummary> {
    return this.#parts.admin().importJsonl(input, options);
  }

  /** The migrations recorded in the store. */
  migrations(): Promise<AppliedMigration[]> {
    return this.#parts.admin().migrations();
  }

  /** Row counts per table and the store's size (PostgreSQL: pg_total_relation_size, per table too). */
  tableStats(): Promise<TableStats> {
    return this.#parts.admin().tableStats();
  }

  /** Counts, batch sizes, commit latency percentiles, busy retries, queue depth, WAL size. */
  metrics(): Promise<MetricsSnapshot> {
    return this.#engine.metricsSnapshot();
  }

  /**
   * Stops the store's queue workers (letting their running jobs finish), commits or rejects
   * everything accepted so far, then stops the threads. Safe to call twice.
   */
  close(): Promise<void> {
    // Workers run only once the queue's runtime was made; otherwise there is none to stop.
    this.#closing ??= (this.#parts.queueRuntimeMade() ? this.#parts.queueRuntime().stop() : Promise.resolve()).finally(() => this.#engine.close());
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal The threads, for tests that kill them. */
  get [Symbol.for('flowstore.internals')]() {
    return this.#engine.internals;
  }
}

/**
 * Opens (creating and migrating when needed) a store. Rejects with
 * FLOWSTORE_INVALID_OPTIONS for a bad option, FLOWSTORE_MIGRATION for a database
 * whose migrations do not match, FLOWSTORE_CORRUPT for a file that is not SQLite.
 * With `readOnly: true` it creates and migrates nothing: the file must exist
 * (FLOWSTORE_NOT_FOUND) with every migration applied (FLOWSTORE_MIGRATION).
 * FLOWSTORE_UNSUPPORTED_RUNTIME on a Node it does not support (before any thread starts).
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  assertSupportedRuntime();
  // What opening loads next (the schema library, the engine, the domains) is compiled once
  // per machine and then read from Node's compile cache, as the store's threads do: ~25 ms
  // off every later open. It holds for whatever the process compiles afterwards, and changes
  // nothing but how fast that loads (NODE_DISABLE_COMPILE_CACHE=1 turns it off).
  nodeModule.enableCompileCache();
  // The writer thread starts at once and is told where the store is once the options are
  // checked; the rest of the façade loads meanwhile (src/open.ts), then while the writer migrates.
  const early = (options as { readOnly?: unknown } | undefined)?.readOnly === true ? undefined : EarlyWriter.start();
  // While the schema library loads, the writer loads the backend the path names (unchecked:
  // a path that turns out invalid makes it load for nothing, then the open rejects).
  if (early) {
    import('./backends/index.ts').then(({ locate }) => early.preload(locate((options as { path?: string } | undefined)?.path).backend.threads)).catch(() => {});
  }
  try {
    const { openEngine } = await import('./open.ts');
    const { engine, parts } = await openEngine(options, (file) => openStore({ path: file, readers: 1 }), early);
    return new Store(engine, parts);
  } finally {
    // Taken by the store's writer by now, unless opening failed before it was.
    early?.discard();
  }
}
