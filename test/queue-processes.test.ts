/**
 * store.queue across real processes: three processes running sixteen jobs at once each work one
 * queue while one of them is killed with SIGKILL every second and replaced; every job
 * ends completed, exactly once, none lost, on a SQLite file and on the PostgreSQL server.
 * Three processes running one schedule enqueue each of its ticks once. A PostgreSQL server
 * restarted under load loses no job and completes none twice.
 */
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { describe, test, type TestContext } from 'node:test';
import { openStore, type Store, type StoreOptions } from '../src/index.ts';
import { cleanup, POSTGRES, tempLocation, waitFor } from './helpers.ts';
import { privateCluster, privateClusterUnavailable } from './helpers-pgcluster.ts';
import { REAL_POSTGRES_URL } from './helpers-postgres.ts';
import { run, stopChild, waitForLine } from './helpers-process.ts';

const JOBS = 30_000;
const needsServer = REAL_POSTGRES_URL ? false : 'needs a real PostgreSQL server (set FLOWSTORE_TEST_POSTGRES_URL): PGlite serves one process';

/** The child's arguments for a store: its path, and the schema of a PostgreSQL one. */
function childArgs(where: StoreOptions, queue: string, concurrency: number, handlerMs: number, leaseMs: number): string[] {
  return [where.path!, queue, String(concurrency), String(handlerMs), String(leaseMs), ...(where.postgres?.schema ? [where.postgres.schema] : [])];
}

/** Worker processes that can be killed and replaced; all stopped (SIGTERM) at the end of the test. */
function processes(t: TestContext, args: string[]) {
  const live = new Set<ChildProcessWithoutNullStreams>();
  /** Those that said they are ready: the ones a test kills. */
  const ready = new Set<ChildProcessWithoutNullStreams>();
  const start = async () => {
    const child = run('queue-process.ts', args);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('exit', (code) => { if (code) t.diagnostic(`a worker process exited with ${code}: ${stderr.slice(0, 2_000)}`); });
    live.add(child);
    child.once('exit', () => {
      live.delete(child);
      ready.delete(child);
    });
    await waitForLine(child, 'ready');
    ready.add(child);
    return child;
  };
  cleanup(t, () => Promise.all([...live].map(stopChild)));
  return { start, live, ready };
}

/** Every job of `queue` completed exactly once, by its last attempt; some re-delivered (their worker was killed). */
async function assertAllCompletedOnce(store: Store, queue: string, jobs: number): Promise<number> {
  let redelivered = 0;
  let completed = 0;
  for (let before: number | undefined; ;) {
    const page = await store.queue.list({ queue, limit: 5_000, ...(before ? { before } : {}) });
    if (page.length === 0) break;
    for (const job of page) {
      assert.equal(job.state, 'completed', `job ${job.id} is ${job.state}`);
      const result = job.result as { attempt: number };
      // The attempt that completed it is its last: no earlier attempt completed it too.
      assert.equal(result.attempt, job.attempt);
      assert.equal(job.attempts.filter((a) => a.error === null).length, 1);
      if (job.attempt > 1) redelivered++;
      completed++;
    }
    before = page.at(-1)!.id;
  }
  assert.equal(completed, jobs);
  return redelivered;
}

async function killOneEverySecond(t: TestContext, where: StoreOptions, store: Store): Promise<void> {
  const pool = processes(t, childArgs(where, 'work', 16, 5, 2_000));
  await Promise.all([pool.start(), pool.start(), pool.start()]);
  let kills = 0;
  const killer = setInterval(() => {
    // One of the three, once all three are up: a loaded machine takes longer than a second to start one.
    if (pool.ready.size < 3) return;
    const victim = [...pool.ready][Math.floor(Math.random() * pool.ready.size)]!;
    pool.ready.delete(victim);
    victim.kill('SIGKILL');
    kills++;
    pool.start().catch((error: unknown) => t.diagnostic(`a replacement did not start: ${(error as Error).message}`));
  }, 1_000);
  cleanup(t, () => clearInterval(killer));
  await waitFor(async () => {
    const stats = (await store.queue.stats()).find((s) => s.queue === 'work');
    return stats?.completed === JOBS;
  }, 'every job completed', 240_000, 200);
  clearInterval(killer);
  const redelivered = await assertAllCompletedOnce(store, 'work', JOBS);
  assert.ok(kills >= 2, `workers were killed while they worked (${kills})`);
  t.diagnostic(`${kills} kills; ${redelivered} jobs were delivered again after their worker was killed`);
}

// Each case waits on processes more than it works: they run side by side.
describe('store.queue across processes', { concurrency: 3 }, () => {
  for (const [name, path, skip] of [['SQLite', undefined, false], ['PostgreSQL', POSTGRES, needsServer]] as const) {
    test(`${name}: 3 processes × 16 jobs at once, one killed every second: ${JOBS} jobs each completed exactly once`, { skip }, async (t) => {
      const where = await tempLocation(t, path);
      const store = await openStore({ ...where, readers: 1 });
      cleanup(t, () => store.close());
      await store.queue.enqueueMany('work', Array.from({ length: JOBS }, (_, n) => ({ payload: { n }, maxAttempts: 100 })));
      await killOneEverySecond(t, where, store);
    });

    test(`${name}: 3 processes running one schedule for a minute enqueue each tick once`, { skip }, async (t) => {
      const where = await tempLocation(t, path);
      const store = await openStore({ ...where, readers: 1 });
      cleanup(t, () => store.close());
      await store.queue.schedule('tick', '* * * * * *', { from: 'schedule' });
      const pool = processes(t, childArgs(where, 'tick', 1, 0, 30_000));
      await Promise.all([pool.start(), pool.start(), pool.start()]);
      const started = Date.now();
      await waitFor(() => Date.now() - started >= 60_000, 'a minute of ticks', 70_000, 500);
      const jobs = [];
      for (let before: number | undefined; ;) {
        const page = await store.queue.list({ queue: 'tick', limit: 1_000, ...(before ? { before } : {}) });
        if (page.length === 0) break;
        jobs.push(...page);
        before = page.at(-1)!.id;
      }
      const ticks = jobs.map((job) => job.runAt.getTime());
      assert.equal(new Set(ticks).size, ticks.length, 'no tick enqueued twice');
      assert.ok(ticks.length >= 50, `about one tick a second: ${ticks.length} in a minute`);
      assert.ok(ticks.every((tick) => tick % 1_000 === 0), 'every job is due at its whole-second tick');
    });
  }

  test('PostgreSQL restarted under load: no job lost, none completed twice', { skip: privateClusterUnavailable() ?? false }, async (t) => {
    const cluster = await privateCluster();
    cleanup(t, () => cluster.remove());
    const where: StoreOptions = { path: cluster.url, postgres: { schema: 'restart', connectTimeoutMs: 30_000 } };
    const store = await openStore({ ...where, readers: 1 });
    cleanup(t, () => store.close());
    const jobs = 10_000;
    await store.queue.enqueueMany('work', Array.from({ length: jobs }, (_, n) => ({ payload: { n }, maxAttempts: 100 })));
    const pool = processes(t, childArgs(where, 'work', 16, 2, 2_000));
    await Promise.all([pool.start(), pool.start()]);
    await waitFor(async () => ((await store.queue.stats())[0]?.completed ?? 0) > jobs / 10, 'work under way', 60_000, 100);
    cluster.restart();
    await waitFor(async () => (await store.queue.stats()).find((s) => s.queue === 'work')?.completed === jobs, 'every job completed after the restart', 180_000, 250);
    await assertAllCompletedOnce(store, 'work', jobs);
  });
});

