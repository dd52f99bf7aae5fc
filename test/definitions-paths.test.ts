/** store.definitions on every backend: where files come from (single file, directory, symlinks, the configured path) and transactions. */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStore } from '../src/index.ts';
import { BACKENDS, cleanup, POSTGRES, tempDir, tempLocation, tempStore } from './helpers.ts';
import { REAL_POSTGRES_URL } from './helpers-postgres.ts';

const PHASE = (task: string, rule = 'cron=0 0 * * *') => `[[phase]]\ntask = "${task}"\nrule = "${rule}"\n`;

for (const backend of BACKENDS) describe(`store.definitions paths on ${backend.name}`, () => {
  test('symlinks out of the root are not followed; links inside it are, without looping', async (t) => {
    const base = tempDir(t);
    const root = join(base, 'root');
    const outside = join(base, 'outside');
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.toml'), PHASE('secret'));
    writeFileSync(join(root, 'sub', 'inner.toml'), PHASE('inner'));
    writeFileSync(join(root, '.hidden.toml'), PHASE('hidden'));
    symlinkSync(join(outside, 'secret.toml'), join(root, 'file-out.toml'));
    symlinkSync('../outside', join(root, 'dir-out'));
    symlinkSync(join(root, 'sub', 'inner.toml'), join(root, 'alias.toml'));
    symlinkSync('..', join(root, 'sub', 'loop'));
    symlinkSync(join(root, 'missing.toml'), join(root, 'dangling.toml'));
    const store = await tempStore(t, { path: backend.path, workflowPath: root });
    assert.deepEqual(await store.definitions.refresh(), ['alias.toml', 'sub/inner.toml']);
    assert.deepEqual((await store.definitions.listPhases()).map((p) => [p.path, p.task]), [['alias.toml', 'inner'], ['sub/inner.toml', 'inner']]);
    assert.equal(await store.definitions.search('secret'), null);
  });

  test('a single file: isDir false, its name as path; refresh(path) switches root and remembers it', async (t) => {
    const base = tempDir(t);
    const file = join(base, 'one.toml');
    writeFileSync(file, PHASE('solo:job'));
    const dir = join(base, 'dir');
    mkdirSync(dir);
    writeFileSync(join(dir, 'two.toml'), PHASE('pair'));
    const store = await tempStore(t, { path: backend.path, workflowPath: file });
    assert.equal(store.definitions.path, file);
    assert.equal(await store.definitions.isDir(), false);
    assert.deepEqual(await store.definitions.refresh(), ['one.toml']);
    assert.equal((await store.definitions.get('solo'))?.path, 'one.toml');

    // The old root's files count as deleted.
    assert.deepEqual(await store.definitions.refresh(dir), ['one.toml', 'two.toml']);
    assert.equal(store.definitions.path, dir);
    assert.equal(await store.definitions.isDir(), true);
    assert.deepEqual(await store.definitions.refresh(), []);
    assert.deepEqual((await store.definitions.listPhases()).map((p) => p.task), ['pair']);

    // A transaction starts from the remembered root.
    const inTx = await store.transaction(async (tx) => {
      assert.equal(tx.definitions.path, dir);
      return tx.definitions.refresh();
    });
    assert.deepEqual(inTx, []);
  });

  test('no configured path, or one that does not exist, changes nothing', async (t) => {
    const store = await tempStore(t, { path: backend.path });
    assert.equal(store.definitions.path, undefined);
    await assert.rejects(store.definitions.refresh(), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    await assert.rejects(store.definitions.isDir(), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    const missing = join(tempDir(t), 'nope');
    await assert.rejects(store.definitions.refresh(missing), { code: 'FLOWSTORE_NOT_FOUND' });
    assert.equal(store.definitions.path, undefined);
    assert.deepEqual(await store.definitions.listFiles(), []);
  });

  test('a refresh inside a transaction commits with it or not at all', async (t) => {
    const root = tempDir(t);
    writeFileSync(join(root, 'a.toml'), PHASE('a'));
    const store = await tempStore(t, { path: backend.path, workflowPath: root });
    await assert.rejects(store.transaction(async (tx) => {
      assert.deepEqual(await tx.definitions.refresh(), ['a.toml']);
      assert.equal((await tx.definitions.get('a'))?.task, 'a');
      throw new Error('abort');
    }), /abort/);
    assert.deepEqual(await store.definitions.listPhases(), []);
    await store.transaction(async (tx) => {
      await tx.definitions.refresh();
    });
    assert.deepEqual((await store.definitions.listPhases()).map((p) => p.task), ['a']);
    assert.deepEqual(await store.definitions.refresh(), []);
  });

  test('phases survive reopening the store', { skip: backend.path === ':memory:' && 'a :memory: store ends with its connection' }, async (t) => {
    const base = tempDir(t);
    const root = join(base, 'wf');
    mkdirSync(root);
    writeFileSync(join(root, 'a.toml'), PHASE('a:b'));
    const where = await tempLocation(t, backend.path);
    const first = await openStore({ ...where, readers: 1, workflowPath: root });
    cleanup(t, () => first.close());
    await first.definitions.refresh();
    await first.close();
    const second = await openStore({ ...where, readers: 1, workflowPath: root });
    cleanup(t, () => second.close());
    assert.equal((await second.definitions.get('a'))?.task, 'a:b');
    assert.deepEqual(await second.definitions.refresh(), []);
    await second.close();
  });
});

describe('store.definitions: two stores on one PostgreSQL schema, as two hosts', { skip: REAL_POSTGRES_URL ? false : 'needs a real server (FLOWSTORE_TEST_POSTGRES_URL)' }, () => {
  test('refreshes at the same moment all succeed and leave exactly the files\' phases', async (t) => {
    const root = tempDir(t);
    const where = await tempLocation(t, POSTGRES);
    const hosts = [await openStore({ ...where, readers: 1, workflowPath: root }), await openStore({ ...where, readers: 1, workflowPath: root })] as const;
    cleanup(t, () => Promise.all(hosts.map((h) => h.close())));
    const tasksOf = (round: number, f: number) => Array.from({ length: 5 }, (_, p) => `t${f}-${p}:r${round}`);
    for (let round = 0; round < 20; round++) {
      // Every round renames every task: phases left over from another host's refresh would show.
      for (let f = 0; f < 4; f++) writeFileSync(join(root, `f${f}.toml`), tasksOf(round, f).map((task) => PHASE(task)).join(''));
      await Promise.all(hosts.map((h) => h.definitions.refresh()));
      const expected = Array.from({ length: 4 }, (_, f) => tasksOf(round, f)).flat();
      assert.deepEqual((await hosts[round % 2]!.definitions.listPhases()).map((p) => p.task), expected, `round ${round}`);
    }
    await Promise.all(hosts.map((h) => h.close()));
  });

  test('a child and its parent loaded by two hosts at the same moment: the child\'s status tells whether its parent is there', async (t) => {
    const where = await tempLocation(t, POSTGRES);
    const hosts = [await openStore({ ...where, readers: 1 }), await openStore({ ...where, readers: 1 })] as const;
    cleanup(t, () => Promise.all(hosts.map((h) => h.close())));
    const empty = tempDir(t);
    let both = 0;
    for (let round = 0; round < 20; round++) {
      // Each host sees a directory of its own, so their changes share no row that would order them.
      const [child, parent] = [tempDir(t), tempDir(t)];
      writeFileSync(join(child, 'child.toml'), `[[phase]]\ntask = "c${round}"\ndependsOn = "p${round}"\n`);
      writeFileSync(join(parent, 'parent.toml'), PHASE(`p${round}:job`));
      await Promise.all([hosts[0].definitions.refresh(child), hosts[1].definitions.refresh(parent)]);
      // A host whose scan came after the other's commit deleted the other's file (it is not in its
      // directory); whatever is left, the child's status must say what is there.
      const reader = hosts[round % 2]!;
      const [found, parentFound] = [await reader.definitions.get(`c${round}`), await reader.definitions.get(`p${round}`)];
      if (found) assert.equal(found.status, parentFound ? '' : `parent task not found: p${round}`, `round ${round}`);
      both += found && parentFound ? 1 : 0;
      // Both files go again, one host after the other, so that the next round starts from nothing.
      await hosts[0].definitions.refresh(empty);
    }
    assert.ok(both > 0, 'in some round both files were loaded side by side');
    await Promise.all(hosts.map((h) => h.close()));
  });
});
