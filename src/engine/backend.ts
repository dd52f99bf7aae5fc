/**
 * What the engine needs of a backend, and the one shape every backend has: an object on
 * the caller's thread (where the store lives, what its threads need, the checks made at
 * open) and a module its threads load (the writer's and the readers' cores). The engine
 * names no backend; `src/backends/index.ts` lists them and picks one from the path.
 *
 * @example
 * ```ts
 * const { backend, location } = locate('postgres://db/app');   // src/backends/index.ts
 * const config = { ...common, backend: backend.name, threads: backend.threads, settings: backend.settings(location, options) };
 * ```
 */
import type { Logger } from 'pino';
import type { ParsedOptions } from '../options.ts';
import type { WorkerConfig } from './config.ts';
import type { BackendName } from './op.ts';
import type { FromWriter, ReadTask, ReadTaskResult, ToWriter } from './protocol.ts';

/** Where a store lives. */
export interface Location {
  readonly backend: BackendName;
  /** A file, a database private to the store that ends with it, or a server. */
  readonly kind: 'file' | 'memory' | 'server';
  /** The file's path as given, or the server's URL; empty for memory. */
  readonly target: string;
  /** What messages and `store.path` show: the path, `':memory:'`, or the URL without its password. */
  readonly display: string;
}

/** A thread a backend keeps beside the writer (SQLite's checkpointer): stopped before the writer closes. */
export interface Companion {
  stop(): Promise<void>;
}

/**
 * A backend, on the caller's thread.
 *
 * @typeParam S what its threads need ({@link WorkerConfig.settings})
 * @typeParam O its own options, under its name in `openStore`'s options (PostgreSQL's `postgres`)
 */
export interface Backend<S = unknown, O = unknown> {
  readonly name: BackendName;
  /** The path forms it serves, for the error that refuses any other. */
  readonly forms: readonly string[];
  /**
   * The location `path` names when it is one of this backend's forms, undefined when it is
   * not; FLOWSTORE_INVALID_OPTIONS when it is one of them, malformed.
   */
  locate(path: string): Location | undefined;
  /** What its threads need, from the store's options and its own. */
  settings(location: Location, options: ParsedOptions, own: O): S;
  /**
   * For `readOnly: true`, on the caller's thread, once: the store exists and has every
   * migration applied, so that readers can prepare their statements (there is no writer to migrate).
   */
  verifyReadOnly(config: WorkerConfig<S>): Promise<void>;
  /** Starts a thread of its own, if the store needs one: some time after the store opened (Engine#startCompanionLater). */
  startCompanion?(config: WorkerConfig<S>, logger: Logger): Companion | undefined;
  /** Bytes of its write-ahead log now, for `metrics().walBytes`. */
  walBytes?(config: WorkerConfig<S>): Promise<number>;
  /** The file URL of its {@link BackendThreads} module. */
  readonly threads: string;
}

/** The writer thread's core: every message from the caller's thread goes to `receive`. */
export interface WriterCore {
  receive(message: ToWriter): void;
}

/** What a backend's `threads` module exports: the writer's and the readers' cores. */
export interface BackendThreads<S = unknown> {
  /**
   * Opens the writer's connection, migrates, says `ready` through `post` (or `fatal`, and
   * resolves undefined). `pull` takes the next message that has arrived, if any, without
   * waiting for the event loop to deliver it.
   */
  startWriter(config: WorkerConfig<S>, post: (message: FromWriter) => void, pull: () => ToWriter | undefined): Promise<WriterCore | undefined>;
  /** A reader thread's task handler, once its connection is open. */
  createReader(config: WorkerConfig<S>): Promise<(task: ReadTask) => Promise<ReadTaskResult>>;
  /** Loads what {@link startWriter} runs, opening nothing: an early writer does it while it waits for its configuration. */
  preloadWriter(): Promise<void>;
}
