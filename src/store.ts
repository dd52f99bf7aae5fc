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
import { pino, type Logger } from 'pino';
import { Engine, type TransactionOptions } from './engine/engine.ts';
import type { MetricsSnapshot } from './engine/metrics.ts';
import type { Invoker } from './engine/op.ts';
import { admin } from './domains/admin/ops.ts';
import { RunsApi } from './domains/runs/api.ts';
import { parseOptions, resolveLocation, type StoreOptions } from './options.ts';

/** The domain namespaces, the same on a store and on a transaction's `tx`. */
export interface Namespaces {
  readonly runs: RunsApi;
  /** Read-only SQL: one statement, values bound, plain rows back. */
  query(sql: string, params?: readonly SqlValue[] | Record<string, SqlValue>): Promise<Record<string, unknown>[]>;
}

export type SqlValue = string | number | bigint | null | Uint8Array;

function namespaces(invoker: Invoker): Namespaces {
  return {
    runs: new RunsApi(invoker),
    query: (sql, params = []) => invoker.invoke(admin.ops.query, { sql, params: params as SqlValue[] }),
  };
}

export type Transaction = Namespaces;

export class Store implements Namespaces, AsyncDisposable {
  readonly runs: RunsApi;
  readonly query: Namespaces['query'];
  readonly #engine: Engine;

  /** Use {@link openStore}. */
  constructor(engine: Engine) {
    this.#engine = engine;
    const ns = namespaces(engine);
    this.runs = ns.runs;
    this.query = ns.query;
  }

  /** Where the store lives: the file path, or `':memory:'`. */
  get path(): string {
    const { location } = this.#engine;
    return location.kind === 'file' ? location.file : ':memory:';
  }

  get closed(): boolean {
    return this.#engine.closed;
  }

  /**
   * Runs `fn` in one transaction: its writes commit together when it resolves and
   * not at all when it throws; reads through `tx` see them; other writes wait.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T> | T, options?: TransactionOptions): Promise<T> {
    return this.#engine.transaction(namespaces, fn, options);
  }

  /** `PRAGMA integrity_check`, run in a reader. */
  checkIntegrity(): Promise<{ ok: boolean; messages: string[] }> {
    return this.#engine.invoke(admin.ops.checkIntegrity, {});
  }

  /** Counts, batch sizes, commit latency percentiles, busy retries, queue depth, WAL size. */
  metrics(): Promise<MetricsSnapshot> {
    return this.#engine.metricsSnapshot();
  }

  /** Commits or rejects everything accepted so far, then stops the threads. Safe to call twice. */
  close(): Promise<void> {
    return this.#engine.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal The threads, for tests that kill them. */
  get [Symbol.for('flowstore.internals')]() {
    return this.#engine.internals;
  }
}

function makeLogger(option: StoreOptions['logger']): Logger {
  if (option === undefined) return pino({ level: 'silent' });
  if (typeof (option as Logger).child === 'function') return (option as Logger).child({ name: 'flowstore' });
  return pino(option as pino.LoggerOptions);
}

/**
 * Opens (creating and migrating when needed) a store. Rejects with
 * FLOWSTORE_INVALID_OPTIONS for a bad option, FLOWSTORE_MIGRATION for a database
 * whose migrations do not match, FLOWSTORE_CORRUPT for a file that is not SQLite.
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const parsed = parseOptions(options);
  const location = resolveLocation(parsed.path);
  const logger = makeLogger(parsed.logger);
  const engine = await Engine.start(parsed, location, logger);
  logger.debug({ path: location.kind === 'file' ? location.file : ':memory:' }, 'flowstore open');
  return new Store(engine);
}
