/**
 * What a Store hangs from its engine: the domain namespaces, the admin API and the queue's
 * runtime. Loaded by src/open.ts while the writer thread starts, not when flowstore is
 * imported, so that `import 'flowstore'` loads only the façade's shell (src/store.ts).
 *
 * @example
 * ```ts
 * const parts = storeParts(engine, (file) => openStore({ path: file, readers: 1 }));
 * await parts.namespaces.runs.loadState('run_1');
 * ```
 */
import type { Engine } from './engine/engine.ts';
import type { Invoker } from './engine/op.ts';
import { admin } from './domains/admin/ops.ts';
import { AdminApi } from './domains/admin/api.ts';
import type { CopyTarget } from './domains/admin/copy.ts';
import { RunsApi } from './domains/runs/api.ts';
import { AgentsApi } from './domains/agents/api.ts';
import { DagApi } from './domains/dag/api.ts';
import { DefinitionsApi } from './domains/definitions/api.ts';
import { AaowApi } from './domains/aaow/api.ts';
import { LangGraphApi } from './domains/langgraph/api.ts';
import { QueueApi, QueueRuntime } from './domains/queue/api.ts';
import { OpenWorkflowApi } from './domains/openworkflow/api.ts';
import { insideJob } from './domains/queue/worker.ts';

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
  /** The workflow root `store.definitions` starts from (the option, or the store's remembered one in a transaction). */
  readonly workflowPath?: string | undefined;
  /** Runs a store transaction: `agents.transact` goes through it, so a nested one meets the engine's refusal. */
  readonly transaction: <T>(fn: (tx: Transaction) => Promise<T> | T) => Promise<T>;
  /** Says a queue has work once what was enqueued is committed (in a transaction: once it commits). */
  readonly wake: (queue: string) => void;
  /** The store's queue workers and schedules; absent in a transaction. */
  readonly queueRuntime?: QueueRuntime;
}

/** The namespaces over one invoker: the store's engine, or a transaction. */
export function namespaces(invoker: Invoker, settings: NamespaceSettings): Namespaces {
  return {
    runs: new RunsApi(invoker),
    agents: new AgentsApi(invoker, (fn) => settings.transaction((tx) => fn(tx.agents))),
    dag: new DagApi(invoker),
    definitions: new DefinitionsApi(invoker, settings.workflowPath),
    aaow: new AaowApi(invoker),
    langgraph: new LangGraphApi(invoker),
    queue: new QueueApi(invoker, settings.wake, settings.queueRuntime),
    openworkflow: new OpenWorkflowApi(invoker),
    query: (sql, params = []) => invoker.invoke(admin.ops.query, { sql, params: params as SqlValue[] }),
  };
}

/** Everything a Store holds besides its engine. */
export interface StoreParts {
  readonly admin: AdminApi;
  readonly queueRuntime: QueueRuntime;
  readonly namespaces: typeof namespaces;
  /** SQLite's integrity check, PostgreSQL's index and constraint checks, run in a reader. */
  readonly checkIntegrity: () => Promise<{ ok: boolean; messages: string[] }>;
  /** Whether the caller runs inside a queue job's handler, which a closing store still serves. */
  readonly insideJob: () => boolean;
}

/** `openCopy` opens the SQLite file a PostgreSQL store's backup is written into. */
export function storeParts(engine: Engine, openCopy: (file: string) => Promise<CopyTarget>): StoreParts {
  return {
    admin: new AdminApi(engine, openCopy),
    queueRuntime: new QueueRuntime(engine, engine.logger, (onWork) => engine.listen('queue', (queue) => onWork(queue ?? undefined))),
    namespaces,
    checkIntegrity: () => engine.invoke(admin.ops.checkIntegrity, {}),
    insideJob,
  };
}
