/** Contract suite of store.definitions: the same cases on every backend, with real TOML files. */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { BACKENDS, tempDir, tempStore } from './helpers.ts';

function write(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

const phaseToml = (p: { task: string; rule?: string; dependsOn?: string; retry?: number }) =>
  `[[phase]]\ntask = ${JSON.stringify(p.task)}\n`
  + (p.rule === undefined ? '' : `rule = ${JSON.stringify(p.rule)}\n`)
  + (p.dependsOn === undefined ? '' : `dependsOn = ${JSON.stringify(p.dependsOn)}\n`)
  + (p.retry === undefined ? '' : `retry = ${p.retry}\n`);

const DATA_LOAD = phaseToml({ task: 'data-load:hourly', rule: 'cron=0 * * * *&offset=1h' })
  + phaseToml({ task: 'data-load:daily', rule: 'cron=0 0 * * *' })
  + phaseToml({ task: 'transform', dependsOn: 'data-load:hourly' });
const REPORTS = phaseToml({ task: 'report:daily', dependsOn: 'transform' })
  + phaseToml({ task: 'audit', dependsOn: 'data-load' });

/** A workflow directory with two files (one nested) and a store configured on it. */
async function setup(t: TestContext, path: string | undefined) {
  const root = join(tempDir(t), 'workflows');
  write(root, 'data-load.toml', DATA_LOAD);
  write(root, 'nested/reports.toml', REPORTS);
  const store = await tempStore(t, { path, workflowPath: root });
  return { root, store };
}

const tasks = (phases: { task: string }[]) => phases.map((p) => p.task);

for (const backend of BACKENDS) {
  describe(`store.definitions on ${backend.name}`, () => {
    test('first load, then an unchanged refresh returns [] and writes nothing', async (t) => {
      const { store } = await setup(t, backend.path);
      assert.equal(await store.definitions.isDir(), true);
      assert.deepEqual(await store.definitions.refresh(), ['data-load.toml', 'nested/reports.toml']);
      assert.deepEqual(tasks(await store.definitions.listPhases()), ['data-load:hourly', 'data-load:daily', 'transform', 'report:daily', 'audit']);
      const files = await store.definitions.listFiles();
      assert.deepEqual(files.map((f) => [f.path, f.phaseCount, f.phasesWithStatus, f.error]), [['data-load.toml', 3, 0, null], ['nested/reports.toml', 2, 0, null]]);
      assert.match(files[0]!.hash, /^[0-9a-f]{64}$/);
      assert.ok(files[0]!.loadedAt instanceof Date && files[0]!.lastModified instanceof Date);

      const writesBefore = (await store.metrics()).writes;
      assert.deepEqual(await store.definitions.refresh(), []);
      assert.deepEqual(await store.definitions.refreshReport(), { changed: [], failed: [] });
      assert.equal((await store.metrics()).writes, writesBefore);
      assert.deepEqual(await store.definitions.listFiles(), files);
    });

    test('edit, delete and add are reloaded; untouched files are not', async (t) => {
      const { root, store } = await setup(t, backend.path);
      await store.definitions.refresh();
      const before = await store.definitions.listFiles();
      write(root, 'data-load.toml', phaseToml({ task: 'data-load:hourly', rule: 'cron=15 * * * *' }));
      rmSync(join(root, 'nested/reports.toml'));
      write(root, 'deep/er/new.toml', phaseToml({ task: 'publish', dependsOn: 'data-load' }));
      write(root, 'notes.md', 'not a workflow');
      assert.deepEqual(await store.definitions.refresh(), ['data-load.toml', 'deep/er/new.toml', 'nested/reports.toml']);
      const phases = await store.definitions.listPhases();
      assert.deepEqual(phases.map((p) => [p.path, p.task, p.rule, p.dependsOn]), [
        ['data-load.toml', 'data-load:hourly', 'cron=15 * * * *', ''],
        ['deep/er/new.toml', 'publish', '', 'data-load'],
      ]);
      const after = await store.definitions.listFiles();
      assert.deepEqual(after.map((f) => f.path), ['data-load.toml', 'deep/er/new.toml']);
      assert.notEqual(after[0]!.hash, before[0]!.hash);
      assert.deepEqual(await store.definitions.refresh(), []);
    });

    test('a file that fails to parse keeps its old phases, records the error, and the others load', async (t) => {
      const { root, store } = await setup(t, backend.path);
      await store.definitions.refresh();
      write(root, 'data-load.toml', '[[phase]\ntask = "broken"');
      write(root, 'nested/reports.toml', phaseToml({ task: 'report:daily', dependsOn: 'transform', retry: 2 }));
      write(root, 'bad-new.toml', '[[phase]]\ntask = "x"\nretry = "often"');
      const report = await store.definitions.refreshReport();
      assert.deepEqual(report.changed, ['bad-new.toml', 'data-load.toml', 'nested/reports.toml']);
      assert.deepEqual(report.failed.map((f) => f.path), ['bad-new.toml', 'data-load.toml']);
      assert.ok(report.failed.every((f) => f.error.length > 0));
      assert.deepEqual(tasks(await store.definitions.listPhases({ path: 'data-load.toml' })), ['data-load:hourly', 'data-load:daily', 'transform']);
      assert.equal((await store.definitions.get('report:daily'))?.retry, 2);
      const files = await store.definitions.listFiles();
      assert.deepEqual(files.map((f) => [f.path, f.phaseCount, f.error !== null]), [
        ['bad-new.toml', 0, true], ['data-load.toml', 3, true], ['nested/reports.toml', 1, false],
      ]);
      // Unchanged broken files are not reported again; fixing one loads it and clears the error.
      assert.deepEqual(await store.definitions.refresh(), []);
      write(root, 'data-load.toml', phaseToml({ task: 'data-load:hourly', rule: 'cron=0 * * * *' }));
      assert.deepEqual(await store.definitions.refreshReport(), { changed: ['data-load.toml'], failed: [] });
      assert.deepEqual(tasks(await store.definitions.listPhases({ path: 'data-load.toml' })), ['data-load:hourly']);
      assert.equal((await store.definitions.listFiles()).find((f) => f.path === 'data-load.toml')?.error, null);
    });

    test('a NUL character in a field (TOML\'s \\u0000) fails its own file; the others load', async (t) => {
      const { root, store } = await setup(t, backend.path);
      write(root, 'nul.toml', '[[phase]]\ntask = "nul"\nrule = "cron=0 0 * * *"\ntemplate = "a\\u0000b"\n');
      const report = await store.definitions.refreshReport();
      assert.deepEqual(report.changed, ['data-load.toml', 'nested/reports.toml', 'nul.toml']);
      assert.deepEqual(report.failed.map((f) => f.path), ['nul.toml']);
      assert.equal(await store.definitions.get('nul'), null);
      assert.deepEqual((await store.definitions.listFiles()).map((f) => [f.path, f.phaseCount, f.error !== null]), [
        ['data-load.toml', 3, false], ['nested/reports.toml', 2, false], ['nul.toml', 0, true],
      ]);
    });

    test('every status message, kept right across refreshes', async (t) => {
      const { root, store } = await setup(t, backend.path);
      write(root, 'status.toml', [
        phaseToml({ task: 'blank' }),
        phaseToml({ task: 'bad-cron', rule: 'cron=invalid' }),
        phaseToml({ task: 'never', rule: 'cron=0 0 30 2 *' }),
        phaseToml({ task: 'orphan', dependsOn: 'data-load:weekly' }),
        phaseToml({ task: 'orphan-topic', dependsOn: 'ghost' }),
        phaseToml({ task: 'scheduled-child', rule: 'cron=0 0 * * *', dependsOn: 'data-load' }),
        phaseToml({ task: 'retries', rule: 'cron=0 0 * * *', retry: 99 }),
        phaseToml({ task: 'fine', rule: 'cron=0 0 * * *&offset=-1h', retry: 3 }),
      ].join(''));
      await store.definitions.refresh();
      const status = async () => Object.fromEntries((await store.definitions.listPhases({ path: 'status.toml' })).map((p) => [p.task, p.status]));
      assert.deepEqual(await status(), {
        'blank': 'invalid phase: rule and dependsOn are blank',
        'bad-cron': 'no valid rule found: cron=invalid',
        'never': 'no valid rule found: cron=0 0 30 2 *',
        'orphan': 'parent task not found: data-load:weekly',
        'orphan-topic': 'parent task not found: ghost',
        'scheduled-child': 'ignored rule: cron=0 0 * * *',
        'retries': 'warning: retry count exceeds recommended limit',
        'fine': '',
      });
      assert.deepEqual(tasks(await store.definitions.listPhases({ withStatus: true, path: 'status.toml' })), ['blank', 'bad-cron', 'never', 'orphan', 'orphan-topic', 'scheduled-child', 'retries']);
      assert.deepEqual(tasks(await store.definitions.listPhases({ withStatus: false })), ['data-load:hourly', 'data-load:daily', 'transform', 'report:daily', 'audit', 'fine']);

      // A parent appearing in another file fixes the child's status; removing it brings the message back.
      write(root, 'more.toml', phaseToml({ task: 'data-load:weekly', rule: 'cron=0 0 * * 0' }) + phaseToml({ task: 'ghost:x', rule: 'cron=0 0 * * *' }));
      await store.definitions.refresh();
      assert.equal((await status()).orphan, '');
      assert.equal((await status())['orphan-topic'], '');
      rmSync(join(root, 'more.toml'));
      rmSync(join(root, 'data-load.toml'));
      await store.definitions.refresh();
      assert.equal((await status()).orphan, 'parent task not found: data-load:weekly');
      assert.equal((await store.definitions.get('audit'))?.status, 'parent task not found: data-load');
    });

    test('topic matches any topic:job, topic:job matches exactly; children follow dependsOn', async (t) => {
      const { store } = await setup(t, backend.path);
      await store.definitions.refresh();
      assert.equal((await store.definitions.get('data-load'))?.task, 'data-load:hourly');
      assert.equal((await store.definitions.get('data-load:daily'))?.task, 'data-load:daily');
      assert.equal(await store.definitions.get('data-load:weekly'), null);
      assert.equal(await store.definitions.get('data'), null);
      assert.equal((await store.definitions.get('transform'))?.dependsOn, 'data-load:hourly');
      assert.equal(await store.definitions.get('transform', { path: 'nested/reports.toml' }), null);

      const found = await store.definitions.search('data-load', 'daily');
      assert.equal(found?.path, 'data-load.toml');
      assert.deepEqual([found?.phase.topic, found?.phase.job, found?.phase.rule], ['data-load', 'daily', 'cron=0 0 * * *']);
      assert.equal((await store.definitions.search('data-load'))?.phase.task, 'data-load:hourly');
      assert.equal((await store.definitions.search('report'))?.path, 'nested/reports.toml');
      assert.equal(await store.definitions.search('data-load', 'weekly'), null);

      // 'transform' depends on data-load:hourly, 'audit' on the bare topic.
      assert.deepEqual(tasks(await store.definitions.children('data-load:hourly')), ['transform', 'audit']);
      assert.deepEqual(tasks(await store.definitions.children('data-load:daily')), ['audit']);
      assert.deepEqual(tasks(await store.definitions.children('data-load')), ['transform', 'audit']);
      assert.deepEqual(tasks(await store.definitions.children('transform')), ['report:daily']);
      assert.deepEqual(tasks(await store.definitions.children('data-load', { path: 'nested/reports.toml' })), ['audit']);
      assert.deepEqual(await store.definitions.children('report:daily'), []);
      assert.deepEqual(await store.definitions.children('data-loa'), []);
    });

    test('dependency edges and the document example queries', async (t) => {
      const { store } = await setup(t, backend.path);
      await store.definitions.refresh();
      assert.deepEqual(await store.definitions.listDependencies(), [
        { parentTask: 'data-load:hourly', childTask: 'transform', path: 'data-load.toml', childRule: '', childStatus: '' },
        { parentTask: 'transform', childTask: 'report:daily', path: 'nested/reports.toml', childRule: '', childStatus: '' },
        { parentTask: 'data-load', childTask: 'audit', path: 'nested/reports.toml', childRule: '', childStatus: '' },
      ]);
      assert.deepEqual((await store.definitions.listDependencies({ parentTask: 'data-load' })).map((d) => d.childTask), ['audit']);
      assert.deepEqual((await store.definitions.listDependencies({ childTask: 'report:daily' })).map((d) => d.parentTask), ['transform']);

      const q = (sql: string) => store.query(sql);
      assert.equal((await q(`SELECT task, depends_on, rule, status FROM workflow_phases WHERE file_path = 'data-load.toml';`)).length, 3);
      assert.deepEqual(await q(`SELECT file_path, task, rule, status FROM workflow_phases WHERE depends_on = 'data-load';`),
        [{ file_path: 'nested/reports.toml', task: 'audit', rule: '', status: '' }]);
      assert.equal((await q(`SELECT file_path, task, depends_on, rule, status FROM workflow_phases WHERE task LIKE 'data-load:%';`)).length, 2);
      assert.deepEqual(await q(`SELECT file_path, task, status FROM workflow_phases WHERE status IS NOT NULL AND status != '';`), []);
      assert.deepEqual(await q(`SELECT file_path, task, status FROM workflow_phases WHERE status LIKE '%warning%' OR status LIKE '%error%';`), []);
      assert.equal((await q(`SELECT parent.depends_on as parent_task, parent.task as child_task, parent.file_path, parent.rule as child_rule, parent.status as child_status
        FROM workflow_phases parent WHERE parent.depends_on IS NOT NULL AND parent.depends_on != '';`)).length, 3);
      assert.deepEqual(await q(`SELECT child.task as child_task, child.file_path, child.rule as child_rule, child.status as child_status
        FROM workflow_phases child WHERE child.depends_on = 'data-load';`), [{ child_task: 'audit', file_path: 'nested/reports.toml', child_rule: '', child_status: '' }]);
      assert.deepEqual(await q(`SELECT parent.depends_on as parent_task, parent.file_path, parent.rule as parent_rule, parent.status as parent_status
        FROM workflow_phases parent WHERE parent.task = 'data-load:hourly';`), [{ parent_task: '', file_path: 'data-load.toml', parent_rule: 'cron=0 * * * *&offset=1h', parent_status: '' }]);
      const summary = await q(`SELECT wf.file_path, wf.file_hash, wf.loaded_at, COUNT(wp.task) as phase_count,
          COUNT(CASE WHEN wp.status IS NOT NULL AND wp.status != '' THEN 1 END) as phases_with_status
        FROM workflow_files wf LEFT JOIN workflow_phases wp ON wf.file_path = wp.file_path GROUP BY wf.file_path;`);
      assert.deepEqual(summary.map((r) => [r.file_path, r.phase_count, r.phases_with_status]), [['data-load.toml', 3, 0], ['nested/reports.toml', 2, 0]]);
      assert.match(String(summary[0]!.loaded_at), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
      // Times to the database: SQLite's datetime() reads them, PostgreSQL's own time arithmetic there.
      assert.equal((await q(store.backend === 'sqlite'
        ? `SELECT datetime(loaded_at) IS NOT NULL AS ok FROM workflow_files LIMIT 1`
        : `SELECT (loaded_at > now() - interval '1 hour')::int AS ok FROM workflow_files LIMIT 1`))[0]!.ok, 1);
    });

    test('bad arguments are rejected with the field named', async (t) => {
      const { store } = await setup(t, backend.path);
      await assert.rejects(store.definitions.get(''), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(store.definitions.children(42 as never), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(store.definitions.search('a', 7 as never), (e: { code?: string; details?: { field?: string } }) => e.code === 'FLOWSTORE_INVALID_ARGUMENT' && e.details?.field === 'job');
      await assert.rejects(store.definitions.listPhases({ withStatus: 'yes' as never }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(store.definitions.listDependencies({ parent: 'x' } as never), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(store.definitions.refresh(''), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    });
  });
}
