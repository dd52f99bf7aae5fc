/** store.definitions: where files come from (single file, directory, symlinks, the configured path) and transactions. */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir, tempStore } from './helpers.ts';

const PHASE = (task: string, rule = 'cron=0 0 * * *') => `[[phase]]\ntask = "${task}"\nrule = "${rule}"\n`;

describe('store.definitions paths', () => {
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
    const store = await tempStore(t, { workflowPath: root });
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
    const store = await tempStore(t, { workflowPath: file });
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
    const store = await tempStore(t, { path: ':memory:' });
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
    const store = await tempStore(t, { workflowPath: root });
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

  test('phases survive reopening the file', async (t) => {
    const base = tempDir(t);
    const root = join(base, 'wf');
    mkdirSync(root);
    writeFileSync(join(root, 'a.toml'), PHASE('a:b'));
    const path = join(base, 'store.db');
    const first = await tempStore(t, { path, workflowPath: root });
    await first.definitions.refresh();
    await first.close();
    const second = await tempStore(t, { path, workflowPath: root });
    assert.equal((await second.definitions.get('a'))?.task, 'a:b');
    assert.deepEqual(await second.definitions.refresh(), []);
  });
});
