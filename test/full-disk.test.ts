/**
 * A full disk: a real tmpfs of a few MB, so SQLite meets a real ENOSPC. Mounting
 * needs root (as on the project's machines and in CI); elsewhere the test is skipped.
 * Where the disk fills (the WAL growing at a write, or the file growing at a checkpoint)
 * is decided by the test, not by how fast the checkpointer runs on a busy machine.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import { openStore } from '../src/index.ts';
import { cleanup, waitFor } from './helpers.ts';

/**
 * Copies the WAL back into the database file, as the store's checkpointer does between
 * writes in steady use: true once every committed frame is copied, false when the file
 * cannot grow to take them (the disk is full).
 */
async function checkpointed(path: string): Promise<boolean> {
  const db = new DatabaseSync(path, { timeout: 0 });
  const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  try {
    return await waitFor(() => {
      try {
        const { log, checkpointed } = passive.get() as { log: number; checkpointed: number };
        return log === checkpointed ? 'done' : undefined;
      } catch (error) {
        if ((((error as { errcode?: number }).errcode ?? 0) & 0xff) === 13) return 'full';
        return undefined;
      }
    }, 'the WAL copied back') === 'done';
  } finally {
    db.close();
  }
}

function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('a full disk fails the write with a coded error, keeps what was committed, and the store recovers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-full-'));
  if (!mountTmpfs(dir, '4m')) {
    rmSync(dir, { recursive: true, force: true });
    t.skip('mounting a tmpfs needs root');
    return;
  }
  const path = join(dir, 'full.db');
  const store = await openStore({ path, compression: false });
  // Close, unmount, then remove, in that order (a mounted directory cannot be removed).
  cleanup(t, async () => {
    await store.close();
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const state = (i: number, size: number) => ({ pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', currentStepIndex: i, pipelineContext: { blob: 'x'.repeat(size) }, lastStepOutput: null, status: 'running' as const });
  // Room the test gives back later, as an operator would by deleting something.
  const filler = join(dir, 'filler');
  writeFileSync(filler, Buffer.alloc(1024 * 1024));
  await store.runs.saveState('small', state(0, 10));
  let failure: { code: string; details: { errcode?: number } } | undefined;
  for (let i = 0; i < 200 && !failure; i++) {
    try {
      await store.runs.saveState(`big_${i}`, state(i, 100_000));
      // Once the file cannot grow to take the WAL's frames back, the next write must grow the WAL.
      if (!(await checkpointed(path))) await store.runs.saveState('one_more', state(i, 100_000));
    } catch (error) {
      failure = error as typeof failure;
    }
  }
  assert.ok(failure, 'the disk filled up');
  assert.equal(failure.code, 'FLOWSTORE_SQLITE');
  assert.equal((failure.details.errcode ?? 0) & 0xff, 13, 'SQLITE_FULL');
  // What was committed before is still there, and reads go on.
  assert.equal((await store.runs.loadState('small'))?.currentStepIndex, 0);
  // Once there is room again, the WAL is copied back and writes go on, with nothing to reopen.
  rmSync(filler);
  assert.equal(await checkpointed(path), true);
  await store.runs.saveState('after', state(1, 10));
  assert.equal((await store.runs.loadState('after'))?.currentStepIndex, 1);
  assert.equal(await checkpointed(path), true);
  // A write that cannot fit, batched with small ones: it fails alone, and they commit.
  const outcomes = await Promise.allSettled([
    store.runs.saveState('tiny_1', state(1, 10)), store.runs.saveState('huge', state(2, 2_000_000)),
    store.runs.saveState('tiny_2', state(3, 10)), store.runs.saveState('tiny_3', state(4, 10)),
  ]);
  assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.equal(((outcomes[1] as PromiseRejectedResult).reason.details.errcode ?? 0) & 0xff, 13);
  assert.deepEqual(await store.query("SELECT run_id FROM workflow_state WHERE run_id LIKE 'tiny_%' ORDER BY run_id"), [{ run_id: 'tiny_1' }, { run_id: 'tiny_2' }, { run_id: 'tiny_3' }]);
  // In a transaction, SQLite rolls the whole transaction back: it rejects with the disk's error, and leaves nothing.
  await assert.rejects(store.transaction(async (tx) => {
    await tx.runs.saveState('in_tx', state(5, 10));
    await tx.runs.saveState('in_tx_huge', state(6, 2_000_000));
  }), (error: { code: string; details: { errcode?: number } }) => error.code === 'FLOWSTORE_SQLITE' && ((error.details.errcode ?? 0) & 0xff) === 13);
  assert.equal(await store.runs.loadState('in_tx'), null);
  await store.runs.saveState('last', state(7, 10));
  assert.equal((await store.runs.loadState('last'))?.currentStepIndex, 7);
});
