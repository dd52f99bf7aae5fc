/**
 * `store.definitions`: workflow definition files and their phases (seed 002, the
 * SQLite-backed `workflow.Cache`). Files are read and hashed in a reader thread, the
 * changes applied in one write; the caller's thread never touches the disk.
 *
 * @example
 * ```ts
 * const store = await openStore({ path: './flowstore.db', workflowPath: './workflows' });
 * const changed = await store.definitions.refresh();      // ['data-load.toml', …]
 * const phase = await store.definitions.get('data-load:hourly');
 * const next = await store.definitions.children('data-load:hourly');
 * ```
 */
import { resolve } from 'node:path';
import { invalidArgument } from '../../errors.ts';
import type { Invoker } from '../../engine/op.ts';
import { definitions } from './ops.ts';
import type { Dependency, Phase, RefreshReport, WorkflowFile } from './schema.ts';

/**
 * The workflow definitions namespace, on a store and on a transaction's `tx`.
 *
 * @example
 * ```ts
 * const { changed, failed } = await store.definitions.refreshReport('./workflows');
 * const edges = await store.definitions.listDependencies({ parentTask: 'data-load' });
 * const problems = await store.definitions.listPhases({ withStatus: true });
 * ```
 */
export class DefinitionsApi {
  readonly #invoker: Invoker;
  #path: string | undefined;

  /** `initialPath` is the store's `workflowPath` option. */
  constructor(invoker: Invoker, initialPath?: string) {
    this.#invoker = invoker;
    this.#path = initialPath === undefined ? undefined : resolve(initialPath);
  }

  /** The configured workflow file or directory (absolute), if any. */
  get path(): string | undefined {
    return this.#path;
  }

  #root(path: string | undefined): string {
    if (path === undefined) {
      if (this.#path === undefined) throw invalidArgument('path', 'no workflow path: pass one or open the store with workflowPath');
      return this.#path;
    }
    if (typeof path !== 'string' || path === '') throw invalidArgument('path', 'expected a non-empty string');
    return resolve(path);
  }

  /**
   * Reloads the changed workflow files and returns their paths (changed, added or
   * deleted, relative to the root). `path` replaces the configured root and is remembered.
   */
  async refresh(path?: string): Promise<string[]> {
    return (await this.refreshReport(path)).changed;
  }

  /**
   * {@link refresh}, also telling which changed files failed to parse: those keep
   * their previous phases and have the error recorded (see {@link listFiles}).
   */
  async refreshReport(path?: string): Promise<RefreshReport> {
    const root = this.#root(path);
    const scan = await this.#invoker.invoke(definitions.ops.scan, { path: root });
    this.#path = root;
    const failed = scan.changed.flatMap((f) => (f.error === null ? [] : [{ path: f.path, error: f.error }]));
    const changed = [...scan.changed.map((f) => f.path), ...scan.deleted].sort();
    // Nothing changed: nothing is written, not even a timestamp.
    if (changed.length > 0) await this.#invoker.invoke(definitions.ops.apply, { changed: scan.changed, deleted: scan.deleted });
    return { changed, failed };
  }

  /** Whether the configured path is a directory (FLOWSTORE_NOT_FOUND when it does not exist). */
  isDir(): Promise<boolean> {
    try {
      return this.#invoker.invoke(definitions.ops.isDir, { path: this.#root(undefined) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The first phase of `task` (a topic) with `job` when given, and its file; `null` when none. */
  search(task: string, job?: string): Promise<{ path: string; phase: Phase } | null> {
    return this.#invoker.invoke(definitions.ops.search, job === undefined ? { task } : { task, job });
  }

  /** The phase for `task`: `topic:job` matches exactly, `topic` matches any of its jobs; `null` when none. */
  get(task: string, options: { path?: string } = {}): Promise<Phase | null> {
    return this.#invoker.invoke(definitions.ops.get, { task, ...options });
  }

  /** Phases whose `dependsOn` names `task` or its topic (a bare topic also matches each `topic:job`). */
  children(task: string, options: { path?: string } = {}): Promise<Phase[]> {
    return this.#invoker.invoke(definitions.ops.children, { task, ...options });
  }

  /** Every phase in file order; `withStatus: true` only those with a message, `false` only those without. */
  listPhases(filter: { withStatus?: boolean; path?: string } = {}): Promise<Phase[]> {
    return this.#invoker.invoke(definitions.ops.listPhases, filter);
  }

  /** Parent → child edges derived from `depends_on`, optionally for one parent or one child (exact). */
  listDependencies(filter: { parentTask?: string; childTask?: string } = {}): Promise<Dependency[]> {
    return this.#invoker.invoke(definitions.ops.listDependencies, filter);
  }

  /** Every loaded file with its hash, times, phase counts and last parse error. */
  listFiles(): Promise<WorkflowFile[]> {
    return this.#invoker.invoke(definitions.ops.listFiles, {});
  }
}
