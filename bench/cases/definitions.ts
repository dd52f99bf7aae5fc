/**
 * store.definitions workloads (issue 5): refreshing a 1,000-phase workflow directory.
 * Each iteration alternates between two directories whose 50 files differ in one value,
 * so every refresh reads, hashes, parses and reloads all 1,000 phases. Raw does the
 * same work on the main thread: the same walk, hash and parse, then the same
 * statements in one transaction.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { toSqlTime } from '../../src/codec.ts';
import { listWorkflowFiles, scanFiles } from '../../src/domains/definitions/files.ts';
import { parseWorkflow } from '../../src/domains/definitions/parse.ts';
import { checkPhase, STATUS_NO_PARENT } from '../../src/domains/definitions/rules.ts';
import { prepareDefinitions } from '../../src/domains/definitions/sqlite.ts';
import { openStore } from '../../src/index.ts';
import type { BenchCase, BenchContext } from '../case.ts';

const FILES = 50;
const PHASES_PER_FILE = 20;
const PHASES = FILES * PHASES_PER_FILE;

/** Two copies of a 1,000-phase directory, differing in every file's retry values. */
function writeDirectories(ctx: BenchContext): [string, string] {
  const roots = [join(ctx.dir, 'workflows-a'), join(ctx.dir, 'workflows-b')] as [string, string];
  roots.forEach((root, variant) => {
    for (let f = 0; f < FILES; f++) {
      const dir = join(root, `team-${f % 5}`);
      mkdirSync(dir, { recursive: true });
      let text = '';
      for (let p = 0; p < PHASES_PER_FILE; p++) {
        const task = `topic-${f}-${p}:job-${p % 3}`;
        text += p % 4 === 0
          ? `[[phase]]\ntask = "${task}"\nrule = "cron=${p} ${f % 24} * * *&offset=-1h"\nretry = ${variant + 1}\ntemplate = "{{date .}} s3://bucket/${f}/${p}/*.json"\n\n`
          : `[[phase]]\ntask = "${task}"\ndependsOn = "topic-${f}-${p - 1}"\nretry = ${variant}\ntemplate = "?day={{date .}}&file=${f}-${p}"\n\n`;
      }
      writeFileSync(join(dir, `workflow-${f}.toml`), text);
    }
  });
  return roots;
}

/** The raw side: flowstore's own statements and file functions on a main-thread connection. */
function rawRefresher(ctx: BenchContext) {
  const db = new DatabaseSync(join(ctx.dir, 'raw.db'));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
  db.exec(readFileSync(new URL('../../migrations/sqlite/0003_definitions.sql', import.meta.url), 'utf8'));
  const sql = prepareDefinitions(db);
  return (root: string): number => {
    const { files } = listWorkflowFiles(root);
    const stored = new Map((sql.storedHashes.all() as { file_path: string; file_hash: string }[]).map((r) => [r.file_path, r.file_hash]));
    const changed = scanFiles(files, stored, parseWorkflow);
    if (changed.length === 0) return 0;
    const now = toSqlTime(new Date());
    db.exec('BEGIN IMMEDIATE');
    for (const file of changed) {
      sql.upsertFile.run(file.path, file.hash, now, toSqlTime(file.lastModified as Date), file.error);
      if (file.phases === null) continue;
      sql.deletePhasesOf.run(file.path);
      file.phases.forEach((p, position) => {
        const check = checkPhase(p);
        sql.insertPhase.run(file.path, p.task, p.dependsOn, p.rule, p.template, p.retry, position, check.error, check.warning);
      });
    }
    sql.recomputeStatus.run(STATUS_NO_PARENT);
    db.exec('COMMIT');
    return changed.length;
  };
}

const reload: BenchCase = {
  name: 'definitions.refresh, 1,000 phases changed',
  rawLabel: 'same walk, hash, TOML parse and statements on the main thread, one transaction',
  ops: PHASES,
  async setup(ctx) {
    const roots = writeDirectories(ctx);
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db'), workflowPath: roots[0] });
    const raw = rawRefresher(ctx);
    let flip = 0;
    let rawFlip = 0;
    const expectAll = (count: number) => {
      if (count !== FILES) throw new Error(`refresh reloaded ${count} files, expected ${FILES}`);
    };
    return {
      flowstore: async () => expectAll((await store.definitions.refresh(roots[flip++ % 2])).length),
      raw: () => expectAll(raw(roots[rawFlip++ % 2]!)),
      teardown: () => store.close(),
    };
  },
};

const unchanged: BenchCase = {
  name: 'definitions.refresh, 1,000 phases unchanged',
  rawLabel: 'same walk and hash on the main thread, nothing written',
  ops: PHASES,
  async setup(ctx) {
    const [root] = writeDirectories(ctx);
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db'), workflowPath: root });
    await store.definitions.refresh();
    const raw = rawRefresher(ctx);
    raw(root);
    return {
      flowstore: () => store.definitions.refresh(),
      raw: () => raw(root),
      teardown: () => store.close(),
    };
  },
};

export const cases: BenchCase[] = [reload, unchanged];
