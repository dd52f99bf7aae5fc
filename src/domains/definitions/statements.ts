/**
 * What store.definitions needs of a backend: the same names on SQLite and PostgreSQL,
 * each backend's SQL in its own file (sqlite.ts, postgres.ts), rows in one shape.
 */
import type { Awaitable, Statement } from '../../engine/op.ts';

export interface DefinitionsStatements {
  /** `()` → `{ file_path, file_hash }` of every loaded file. */
  storedHashes: Statement;
  /**
   * Holds the definitions against another store's refresh until the transaction ends, so
   * that each recomputes the statuses over the phases the other committed. Two refreshes
   * that touch no common row would otherwise each miss the other's new phases: a child
   * left "parent task not found" beside its parent. SQLite's one writer already runs them
   * one at a time: there it does nothing.
   */
  lock(): Awaitable<unknown>;
  /** `(path, hash, now, lastModified, parseError)`: `loaded_at` moves only when the file loaded. */
  upsertFile: Statement;
  /** `(path)` */
  deleteFile: Statement;
  /** `(path)` */
  deletePhasesOf: Statement;
  /** `(path, task, dependsOn, rule, template, retry, position, checkError, checkWarning)` */
  insertPhase: Statement;
  /**
   * `(missingParentPrefix)`: every phase's status from its own checks and the phases
   * loaded now (its error, else the prefix and its missing parent, else its warning);
   * only rows whose message changes are written.
   */
  recomputeStatus: Statement;

  /** `(task, path or null)` → the first {@link PhaseRow} in file order. */
  phaseExact: Statement;
  /** `(topic, path or null)` → the first {@link PhaseRow} of the topic or any `topic:job`. */
  phaseInTopic: Statement;
  /** `(task, path or null, topic)` → phases depending on the `topic:job` or its topic. */
  childrenOfJob: Statement;
  /** `(topic, path or null)` → phases depending on the topic or any `topic:job`. */
  childrenOfTopic: Statement;
  /** `(path or null)` → {@link PhaseRow}s in file order. */
  listPhases: { all: Statement; withStatus: Statement; withoutStatus: Statement };
  /** `(parentTask or null, childTask or null)` → {@link DependencyRow}s */
  dependencies: Statement;
  /** `()` → {@link FileRow}s by path */
  files: Statement;
}

/** A phase row as both backends return it. */
export interface PhaseRow {
  file_path: string;
  task: string;
  depends_on: string | null;
  rule: string | null;
  template: string | null;
  retry: number | null;
  status: string | null;
}

export interface DependencyRow {
  parent_task: string;
  child_task: string;
  file_path: string;
  child_rule: string | null;
  child_status: string | null;
}

export interface FileRow {
  file_path: string;
  file_hash: string;
  loaded_at: string;
  last_modified: string | null;
  parse_error: string | null;
  phase_count: number;
  phases_with_status: number;
}
