/**
 * What a Store hangs from its engine: the domain namespaces, the admin API and the queue's
 * runtime, each made the first time it is used. A domain's modules (its API, operations and
 * schemas: 5 to 15 ms each to load) are loaded then, at once (`require` of an ES module),
 * so that opening a store loads none of them and a process pays only for the domains it
 * uses. Loaded by src/open.ts while the writer thread starts, not when flowstore is
 * imported, so that `import 'flowstore'` loads only the façade's shell (src/store.ts).
 *
 * @example
 * ```ts
 * const parts = storeParts(engine, (file) => openStore({ path: file, readers: 1 }));
 * await parts.namespaces(engine, settings).runs.loadState('run_1');   // loads the runs domain now
 * ```
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Engine } from './engine/engine.ts';
import type { Invoker } from './engine/op.ts';
import { moduleBeside } from './engine/worker-files.ts';
import type { AdminApi } from './domains/admin/api.ts';
import type { CopyTarget } from './domains/admin/copy.ts';
import type { RunsApi } from './domains/runs/api.ts';
import type { AgentsApi } from './domains/agents/api.ts';
import type { DagApi } from './domains/dag/api.ts';
import type { DefinitionsApi } from './domains/definitions/api.ts';
import type { AaowApi } from './domains/aaow/api.ts';
import type { LangGraphApi } from './domains/langgraph/api.ts';
import type { QueueApi, QueueRuntime } from './domains/queue/api.ts';
import type { OpenWorkflowApi } from './domains/openworkflow/api.ts';

export type SqlValue = string | number | bigint | null | Uint8Array;

/** The domain namespaces, the same on a store and on a transaction's `tx`. */
export interface Namespaces {
  readonly runs: RunsApi;
  readonly agents: AgentsApi;
  readonly dag: DagApi;
  readonly definitions: DefinitionsApi;
  /** The operations behind `SQLiteStorageAdapter` from `flowstore/aaow` (seed 003). */
  readonly aaow: AaowApi;
  /** The operations behind `FlowstoreSaver` and `FlowstoreStore` from `flowstore/langgraph`. */
  readonly langgraph: LangGraphApi;
  /** Durable jobs: enqueue (inside a transaction, they commit with its other writes), claim, work, schedules. */
  readonly queue: QueueApi;
  /** The operations behind `FlowstoreBackend` from `flowstore/openworkflow`: OpenWorkflow's runs, step attempts and signals. */
  readonly openworkflow: OpenWorkflowApi;
  /** Read-only SQL: one statement, values bound, plain rows back. */
  query(sql: string, params?: readonly SqlValue[] | Record<string, SqlValue>): Promise<Record<string, unknown>[]>;
}

/** A store transaction's `tx`: the same namespaces, bound to the transaction. */
export type Transaction = Namespaces;

/** What the namespaces take from the store besides the invoker. */
export interface NamespaceSettings {
  /** The workflow root `store.definitions` starts from (the option, or the store's remembered one in a transaction), asked when first used. */
  readonly workflowPath: () => string | undefined;
  /** Runs a store transaction: `agents.transact` goes through it, so a nested one meets the engine's refusal. */
  readonly transaction: <T>(fn: (tx: Transaction) => Promise<T> | T) => Promise<T>;
  /**
   * Says a queue is getting work. On the store, as soon as the enqueue is on its way to the
   * writer: a worker's claim sent then is written after it, most often in the same commit,
   * so the job starts one commit sooner. In a transaction, once it commits.
   */
  readonly wake: (queue: string) => void;
  /** The store's queue workers and schedules; absent in a transaction. */
  readonly queueRuntime?: () => QueueRuntime;
}

const requireModule = createRequire(import.meta.url);

/** The modules the parts below load when first used, relative to this file, without extension. */
const LAZY_MODULES = [
  './domains/runs/api', './domains/agents/api', './domains/dag/api', './domains/definitions/api', './domains/aaow/api',
  './domains/langgraph/api', './domains/queue/api', './domains/queue/worker', './domains/openworkflow/api',
  './domains/admin/api', './domains/admin/ops',
] as const;

/** A module of {@link LAZY_MODULES}, loaded now unless it already is. */
function load<M>(path: (typeof LAZY_MODULES)[number]): M {
  return requireModule(fileURLToPath(moduleBeside(import.meta.url, path))) as M;
}

/**
 * Loads every module of {@link LAZY_MODULES} now, asynchronously, then the schema modules
 * their operations name (src/engine/lazy-schemas.ts): for a store opened off the main
 * thread, whose parts then find them loaded. There, loading one with `require` could be cut
 * short by the thread's termination, which on Node 22 aborts the whole process (see
 * workers/reader.cts); the main thread is never terminated.
 */
export async function preloadParts(): Promise<void> {
  await Promise.all(LAZY_MODULES.map((path) => import(moduleBeside(import.meta.url, path))));
  const { namedSchemaModules } = await import('./engine/lazy-schemas.ts');
  await Promise.all(namedSchemaModules().map((url) => import(url)));
}

/** `make()`, called once, the first time the result is asked for. */
function lazily<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** The admin domain's operations (`store.query`, the integrity check). */
const adminOps = lazily(() => load<typeof import('./domains/admin/ops.ts')>('./domains/admin/ops').admin.ops);

/** The namespaces over one invoker (the store's engine, or a transaction), each made when first used. */
export function namespaces(invoker: Invoker, settings: NamespaceSettings): Namespaces {
  const runs = lazily(() => new (load<typeof import('./domains/runs/api.ts')>('./domains/runs/api').RunsApi)(invoker));
  const agents = lazily(() => new (load<typeof import('./domains/agents/api.ts')>('./domains/agents/api').AgentsApi)(
    invoker, (fn) => settings.transaction((tx) => fn(tx.agents)),
  ));
  const dag = lazily(() => new (load<typeof import('./domains/dag/api.ts')>('./domains/dag/api').DagApi)(invoker));
  const definitions = lazily(() => new (load<typeof import('./domains/definitions/api.ts')>('./domains/definitions/api').DefinitionsApi)(
    invoker, settings.workflowPath(),
  ));
  const aaow = lazily(() => new (load<typeof import('./domains/aaow/api.ts')>('./domains/aaow/api').AaowApi)(invoker));
  const langgraph = lazily(() => new (load<typeof import('./domains/langgraph/api.ts')>('./domains/langgraph/api').LangGraphApi)(invoker));
  const queue = lazily(() => new (load<typeof import('./domains/queue/api.ts')>('./domains/queue/api').QueueApi)(
    invoker, settings.wake, settings.queueRuntime?.(),
  ));
  const openworkflow = lazily(() => new (load<typeof import('./domains/openworkflow/api.ts')>('./domains/openworkflow/api').OpenWorkflowApi)(invoker));
  return {
    get runs() { return runs(); },
    get agents() { return agents(); },
    get dag() { return dag(); },
    get definitions() { return definitions(); },
    get aaow() { return aaow(); },
    get langgraph() { return langgraph(); },
    get queue() { return queue(); },
    get openworkflow() { return openworkflow(); },
    query: (sql, params = []) => invoker.invoke(adminOps().query, { sql, params: params as SqlValue[] }),
  };
}

/** Everything a Store holds besides its engine, each part made when first used. */
export interface StoreParts {
  readonly admin: () => AdminApi;
  /** The queue's workers and schedules, made with the store's `queue` namespace or its first transaction that enqueues. */
  readonly queueRuntime: () => QueueRuntime;
  /** Whether the queue's runtime was made: when not, no worker runs and no job's handler can be running. */
  readonly queueRuntimeMade: () => boolean;
  readonly namespaces: typeof namespaces;
  /** SQLite's integrity check, PostgreSQL's index and constraint checks, run in a reader. */
  readonly checkIntegrity: () => Promise<{ ok: boolean; messages: string[] }>;
  /** Whether the caller runs inside a queue job's handler, which a closing store still serves. */
  readonly insideJob: () => boolean;
}

/** `openCopy` opens the SQLite file a PostgreSQL store's backup is written into. */
export function storeParts(engine: Engine, openCopy: (file: string) => Promise<CopyTarget>): StoreParts {
  // Only a made runtime runs jobs: until then nothing runs inside one, and the queue's modules stay unloaded.
  let insideJob: (() => boolean) | undefined;
  const queueRuntime = lazily(() => {
    const { QueueRuntime } = load<typeof import('./domains/queue/api.ts')>('./domains/queue/api');
    insideJob = load<typeof import('./domains/queue/worker.ts')>('./domains/queue/worker').insideJob;
    return new QueueRuntime(engine, engine.logger, (onWork) => engine.listen('queue', (queue) => onWork(queue ?? undefined)));
  });
  return {
    admin: lazily(() => new (load<typeof import('./domains/admin/api.ts')>('./domains/admin/api').AdminApi)(engine, openCopy)),
    queueRuntime,
    queueRuntimeMade: () => insideJob !== undefined,
    namespaces,
    checkIntegrity: () => engine.invoke(adminOps().checkIntegrity, {}),
    insideJob: () => insideJob?.() ?? false,
  };
}
