/**
 * store.definitions operations. A refresh is two of them: `scan` (a read, on a reader
 * thread: walks the root, hashes, parses the changed files) and `apply` (a write: stores
 * the changes and recomputes every phase's status in the writer's transaction).
 */
import { fromSqlTime, toSqlTime } from '../../codec.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { defineDomain, opsOf } from '../../engine/op.ts';
import { listWorkflowFiles, rootIsDir, scanFiles } from './files.ts';
import { checkPhase, STATUS_NO_PARENT } from './rules.ts';
import type * as Schemas from './schema.ts';
import type { Dependency, Phase, ScanResult, WorkflowFile } from './schema.ts';
import { prepareDefinitions as prepareSqlite } from './sqlite.ts';
import { prepareDefinitions as preparePostgres } from './postgres.ts';
import type { DefinitionsStatements, DependencyRow, FileRow, PhaseRow } from './statements.ts';

const op = opsOf<DefinitionsStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');

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
async function findPhase(sql: DefinitionsStatements, task: string, path: string | undefined): Promise<Phase | null> {
  const statement = task.includes(':') ? sql.phaseExact : sql.phaseInTopic;
  const row = (await statement.get(task, path ?? null)) as PhaseRow | undefined;
  return row ? phase(row) : null;
}

export const definitions = defineDomain('definitions', { sqlite: prepareSqlite, postgres: preparePostgres }, {
  scan: op({
    kind: 'read',
    input: s.rootInput,
    async run({ sql }, { path: root }): Promise<ScanResult> {
      const { isDir, files } = listWorkflowFiles(root);
      const stored = new Map<string, string>();
      for (const row of (await sql.storedHashes.all()) as { file_path: string; file_hash: string }[]) stored.set(row.file_path, row.file_hash);
      const { parseWorkflow } = await import('./parse.ts');
      const changed = scanFiles(files, stored, parseWorkflow);
      const present = new Set(files.map((f) => f.path));
      const deleted = [...stored.keys()].filter((path) => !present.has(path)).sort();
      return { isDir, changed, deleted };
    },
  }),

  apply: op({
    kind: 'write',
    input: s.applyInput,
    // One operation, so one transaction: every change and the statuses commit together or not at all.
    // Nothing is awaited: SQLite has written when it returns; PostgreSQL's writer settles a
    // batch's statements together, in one round trip.
    run({ sql }, { changed, deleted }): void {
      const now = toSqlTime(new Date());
      void sql.lock();
      for (const path of deleted) {
        void sql.deletePhasesOf.run(path);
        void sql.deleteFile.run(path);
      }
      for (const file of changed) {
        void sql.upsertFile.run(file.path, file.hash, now, toSqlTime(file.lastModified), file.error);
        // A file that fails to parse keeps the phases it had.
        if (file.phases === null) continue;
        void sql.deletePhasesOf.run(file.path);
        file.phases.forEach((p, position) => {
          const check = checkPhase(p);
          void sql.insertPhase.run(file.path, p.task, p.dependsOn, p.rule, p.template, p.retry, position, check.error, check.warning);
        });
      }
      void sql.recomputeStatus.run(STATUS_NO_PARENT);
    },
  }),

  isDir: op({
    kind: 'read',
    input: s.rootInput,
    run(_ctx, { path }): boolean {
      return rootIsDir(path);
    },
  }),

  get: op({
    kind: 'read',
    input: s.taskInput,
    run({ sql }, { task, path }): Promise<Phase | null> {
      return findPhase(sql, task, path);
    },
  }),

  search: op({
    kind: 'read',
    input: s.searchInput,
    async run({ sql }, { task, job }): Promise<{ path: string; phase: Phase } | null> {
      const found = await findPhase(sql, job ? `${task}:${job}` : task, undefined);
      return found ? { path: found.path, phase: found } : null;
    },
  }),

  children: op({
    kind: 'read',
    input: s.taskInput,
    async run({ sql }, { task, path }): Promise<Phase[]> {
      const [topic, job] = splitTask(task);
      const rows = job === ''
        ? await sql.childrenOfTopic.all(topic, path ?? null)
        : await sql.childrenOfJob.all(task, path ?? null, topic);
      return (rows as PhaseRow[]).map(phase);
    },
  }),

  listPhases: op({
    kind: 'read',
    input: s.listPhasesInput,
    async run({ sql }, { withStatus, path }): Promise<Phase[]> {
      const statement = withStatus === undefined ? sql.listPhases.all : withStatus ? sql.listPhases.withStatus : sql.listPhases.withoutStatus;
      return ((await statement.all(path ?? null)) as PhaseRow[]).map(phase);
    },
  }),

  listDependencies: op({
    kind: 'read',
    input: s.dependenciesInput,
    async run({ sql }, { parentTask, childTask }): Promise<Dependency[]> {
      return ((await sql.dependencies.all(parentTask ?? null, childTask ?? null)) as DependencyRow[]).map((row) => ({
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
    input: s.emptyInput,
    async run({ sql }): Promise<WorkflowFile[]> {
      return ((await sql.files.all()) as FileRow[]).map((row) => ({
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
