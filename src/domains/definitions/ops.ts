/**
 * store.definitions operations. A refresh is two of them: `scan` (a read, on a reader
 * thread: walks the root, hashes, parses the changed files) and `apply` (a write: stores
 * the changes and recomputes every phase's status in the writer's transaction).
 */
import { fromSqlTime, toSqlTime } from '../../codec.ts';
import { defineDomain, opsOf } from '../../engine/op.ts';
import { listWorkflowFiles, rootIsDir, scanFiles } from './files.ts';
import { checkPhase } from './rules.ts';
import {
  applyInput, dependenciesInput, emptyInput, listPhasesInput, rootInput, searchInput, taskInput,
  type Dependency, type Phase, type ScanResult, type WorkflowFile,
} from './schema.ts';
import { prepareDefinitions, type DefinitionsStatements, type DependencyRow, type FileRow, type PhaseRow } from './sql.ts';

const op = opsOf<DefinitionsStatements>();

/** `topic:job` → [topic, job]; a task without `:` is a topic with no job. */
export function splitTask(task: string): [topic: string, job: string] {
  const colon = task.indexOf(':');
  return colon === -1 ? [task, ''] : [task.slice(0, colon), task.slice(colon + 1)];
}

function phase(row: PhaseRow): Phase {
  const [topic, job] = splitTask(row.task);
  return {
    path: row.file_path,
    task: row.task,
    topic,
    job,
    rule: row.rule ?? '',
    dependsOn: row.depends_on ?? '',
    retry: row.retry ?? 0,
    template: row.template ?? '',
    status: row.status ?? '',
  };
}

/** `topic:job` matches exactly; a bare `topic` matches itself and any of its jobs. First in file order. */
function findPhase(sql: DefinitionsStatements, task: string, path: string | undefined): Phase | null {
  const statement = task.includes(':') ? sql.phaseExact : sql.phaseInTopic;
  const row = statement.get(task, path ?? null) as PhaseRow | undefined;
  return row ? phase(row) : null;
}

export const definitions = defineDomain('definitions', { sqlite: prepareDefinitions }, {
  scan: op({
    kind: 'read',
    input: rootInput,
    run({ sql }, { path: root }): ScanResult {
      const { isDir, files } = listWorkflowFiles(root);
      const stored = new Map<string, string>();
      for (const row of sql.storedHashes.all() as { file_path: string; file_hash: string }[]) stored.set(row.file_path, row.file_hash);
      const changed = scanFiles(files, stored);
      const present = new Set(files.map((f) => f.path));
      const deleted = [...stored.keys()].filter((path) => !present.has(path)).sort();
      return { isDir, changed, deleted };
    },
  }),

  apply: op({
    kind: 'write',
    input: applyInput,
    run({ sql }, { changed, deleted }): void {
      const now = toSqlTime(new Date());
      for (const path of deleted) {
        sql.deletePhasesOf.run(path);
        sql.deleteFile.run(path);
      }
      for (const file of changed) {
        sql.upsertFile.run(file.path, file.hash, now, toSqlTime(file.lastModified), file.error);
        // A file that fails to parse keeps the phases it had.
        if (file.phases === null) continue;
        sql.deletePhasesOf.run(file.path);
        file.phases.forEach((p, position) => {
          const check = checkPhase(p);
          sql.insertPhase.run(file.path, p.task, p.dependsOn, p.rule, p.template, p.retry, position, check.error, check.warning);
        });
      }
      sql.recomputeStatus.run();
    },
  }),

  isDir: op({
    kind: 'read',
    input: rootInput,
    run(_ctx, { path }): boolean {
      return rootIsDir(path);
    },
  }),

  get: op({
    kind: 'read',
    input: taskInput,
    run({ sql }, { task, path }): Phase | null {
      return findPhase(sql, task, path);
    },
  }),

  search: op({
    kind: 'read',
    input: searchInput,
    run({ sql }, { task, job }): { path: string; phase: Phase } | null {
      const found = findPhase(sql, job ? `${task}:${job}` : task, undefined);
      return found ? { path: found.path, phase: found } : null;
    },
  }),

  children: op({
    kind: 'read',
    input: taskInput,
    run({ sql }, { task, path }): Phase[] {
      const [topic, job] = splitTask(task);
      const rows = job === ''
        ? sql.childrenOfTopic.all(topic, path ?? null)
        : sql.childrenOfJob.all(task, path ?? null, topic);
      return (rows as unknown as PhaseRow[]).map(phase);
    },
  }),

  listPhases: op({
    kind: 'read',
    input: listPhasesInput,
    run({ sql }, { withStatus, path }): Phase[] {
      const statement = withStatus === undefined ? sql.listPhases.all : withStatus ? sql.listPhases.withStatus : sql.listPhases.withoutStatus;
      return (statement.all(path ?? null) as unknown as PhaseRow[]).map(phase);
    },
  }),

  listDependencies: op({
    kind: 'read',
    input: dependenciesInput,
    run({ sql }, { parentTask, childTask }): Dependency[] {
      return (sql.dependencies.all(parentTask ?? null, childTask ?? null) as unknown as DependencyRow[]).map((row) => ({
        parentTask: row.parent_task,
        childTask: row.child_task,
        path: row.file_path,
        childRule: row.child_rule ?? '',
        childStatus: row.child_status ?? '',
      }));
    },
  }),

  listFiles: op({
    kind: 'read',
    input: emptyInput,
    run({ sql }): WorkflowFile[] {
      return (sql.files.all() as unknown as FileRow[]).map((row) => ({
        path: row.file_path,
        hash: row.file_hash,
        loadedAt: fromSqlTime(row.loaded_at),
        lastModified: row.last_modified === null ? null : fromSqlTime(row.last_modified),
        phaseCount: row.phase_count,
        phasesWithStatus: row.phases_with_status,
        error: row.parse_error,
      }));
    },
  }),
});
