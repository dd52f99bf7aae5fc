/**
 * FlowstoreSaver beyond LangChain's suite, on every backend: what put stores (one blob per
 * new version, large values deflated), pending-write order and replacement, prune, store.cleanup's
 * share, bad input, and that importing `flowstore` never loads LangGraph.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { emptyCheckpoint, uuid6, type Checkpoint } from '@langchain/langgraph-checkpoint';
import { FlowstoreSaver } from '../src/langgraph/index.ts';
import pg from 'pg';
import { openStore, type StoreOptions } from '../src/index.ts';
import { BACKENDS, cleanup, newLocation, tempDir, tempStore } from './helpers.ts';

const meta = { source: 'loop' as const, step: 0, parents: {} };
const root = new URL('..', import.meta.url).pathname;
const field = (name: string) => (e: { code?: string; details?: { field?: string } }) => e.code === 'FLOWSTORE_INVALID_ARGUMENT' && e.details?.field === name;

function checkpoint(values: Record<string, unknown>, versions: Record<string, string | number>): Checkpoint {
  return { ...emptyCheckpoint(), id: uuid6(-3), channel_values: values, channel_versions: versions };
}

for (const backend of BACKENDS) {
  const open = async (t: Parameters<typeof tempStore>[0]) => new FlowstoreSaver(await tempStore(t, { path: backend.path, compression: { thresholdBytes: 1024 } }));
  const count = async (saver: FlowstoreSaver, table: string) => Number((await saver.store.query(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);

  test(`${backend.name}: a put stores only the versions it says are new; a large value is deflated and reads back`, async (t) => {
    const saver = await open(t);
    const big = 'x'.repeat(100_000);
    let config = { configurable: { thread_id: 't', checkpoint_ns: '' } } as Record<string, any>;
    for (let step = 0; step < 20; step++) {
      const versions = { big: 1, counter: step + 1 };
      config = await saver.put(config, checkpoint({ big, counter: step }, versions), { ...meta, step }, step === 0 ? versions : { counter: step + 1 });
    }
    assert.equal(await count(saver, 'lg_checkpoints'), 20);
    assert.equal(await count(saver, 'lg_blobs'), 21);
    const [stored] = await saver.store.query("SELECT compressed, length(blob) AS size FROM lg_blobs WHERE channel = 'big'");
    assert.equal(stored!.compressed, 1);
    assert.ok(Number(stored!.size) < 2_000);
    const latest = await saver.getTuple({ configurable: { thread_id: 't' } });
    assert.deepEqual(latest?.checkpoint.channel_values, { big, counter: 19 });
  });

  test(`${backend.name}: Promise.all over more puts and reads than the high-water mark: they wait their turn, every one is stored`, async (t) => {
    const saver = new FlowstoreSaver(await tempStore(t, { path: backend.path, highWaterMark: 4 }));
    const configs = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      saver.put({ configurable: { thread_id: `t${i}`, checkpoint_ns: '' } }, checkpoint({ i }, { i: 1 }), meta, { i: 1 })));
    assert.equal(configs.length, 200);
    const tuples = await Promise.all(Array.from({ length: 200 }, (_, i) => saver.getTuple({ configurable: { thread_id: `t${i}` } })));
    assert.deepEqual(tuples.map((tuple) => tuple?.checkpoint.channel_values), Array.from({ length: 200 }, (_, i) => ({ i })));
  });

  test(`${backend.name}: pending writes come in writesSortKey order; special writes replace, regular ones stay`, async (t) => {
    const saver = await open(t);
    const config = await saver.put({ configurable: { thread_id: 't' } }, checkpoint({}, {}), meta, {});
    await saver.putWrites(config, [['b', 1], ['a', 2]], 'task-2', '~b');
    await saver.putWrites(config, [['c', 3]], 'task-1', '~b');
    await saver.putWrites(config, [['d', 4]], 'task-9', '~a');
    await saver.putWrites(config, [['b', 'again'], ['__error__', 'first']], 'task-2', '~b');
    await saver.putWrites(config, [['__error__', 'second']], 'task-2', '~b');
    const tuple = await saver.getTuple(config);
    assert.deepEqual(tuple?.pendingWrites, [
      ['task-9', 'd', 4], ['task-1', 'c', 3], ['task-2', '__error__', 'second'], ['task-2', 'b', 1], ['task-2', 'a', 2],
    ]);
  });

  test(`${backend.name}: prune keeps the newest checkpoints of each namespace with the blobs and writes they need`, async (t) => {
    const saver = await open(t);
    for (const ns of ['', 'child']) {
      let config = { configurable: { thread_id: 't', checkpoint_ns: ns } } as Record<string, any>;
      for (let step = 0; step < 10; step++) {
        const versions = { kept: 1, step: step + 1 };
        config = await saver.put(config, checkpoint({ kept: 'from the start', step }, versions), { ...meta, step }, step === 0 ? versions : { step: step + 1 });
        await saver.putWrites(config, [['step', step]], `task-${step}`);
      }
    }
    const other = await saver.put({ configurable: { thread_id: 'other' } }, checkpoint({ a: 1 }, { a: 1 }), meta, { a: 1 });
    assert.deepEqual(await saver.prune('t', { keepLast: 3 }), { checkpoints: 14, writes: 14, blobs: 14 });
    for (const ns of ['', 'child']) {
      const left = [];
      for await (const tuple of saver.list({ configurable: { thread_id: 't', checkpoint_ns: ns } })) left.push(tuple);
      assert.deepEqual(left.map((x) => x.checkpoint.channel_values), [9, 8, 7].map((step) => ({ kept: 'from the start', step })));
      assert.deepEqual(left.map((x) => x.pendingWrites), [9, 8, 7].map((step) => [[`task-${step}`, 'step', step]]));
    }
    assert.ok(await saver.getTuple(other));
    assert.deepEqual(await saver.prune('t', { keepLast: 3 }), { checkpoints: 0, writes: 0, blobs: 0 });
    await assert.rejects(saver.prune('t', { keepLast: 0 }), field('keepLast'));
  });

  test(`${backend.name}: store.cleanup deletes threads whose newest checkpoint is older than the cutoff`, async (t) => {
    const { options, remove } = await newLocation(backend.path);
    const saver = new FlowstoreSaver(await openStore({ ...options, readers: 1 }));
    cleanup(t, async () => {
      await saver.store.close();
      await remove();
    });
    await saver.put({ configurable: { thread_id: 'old' } }, checkpoint({ a: 1 }, { a: 1 }), meta, { a: 1 });
    await saver.put({ configurable: { thread_id: 'new' } }, checkpoint({ a: 1 }, { a: 1 }), meta, { a: 1 });
    assert.equal((await saver.store.cleanup({ olderThanDays: 1 })).langgraph, 0);
    // Days passing, on a file or a server: another connection ages one thread.
    if (backend.name === ':memory:') return;
    await backdate(options, 'old', 3);
    const result = await saver.store.cleanup({ olderThanDays: 2 });
    assert.equal(result.langgraph, 1);
    assert.equal(await saver.getTuple({ configurable: { thread_id: 'old' } }), undefined);
    assert.ok(await saver.getTuple({ configurable: { thread_id: 'new' } }));
    assert.equal(await count(saver, 'lg_blobs'), 1);
    assert.equal((await saver.store.cleanup({ olderThanDays: 2, statuses: ['failed'] })).langgraph, 0);
  });

  test(`${backend.name}: bad input rejects with FLOWSTORE_INVALID_ARGUMENT naming the field`, async (t) => {
    const saver = await open(t);
    const cp = checkpoint({}, {});
    await assert.rejects(saver.put({}, cp, meta, {}), field('config.configurable'));
    await assert.rejects(saver.put({ configurable: { checkpoint_ns: '' } }, cp, meta, {}), field('config.configurable.thread_id'));
    await assert.rejects(saver.put({ configurable: { thread_id: 42 } }, cp, meta, {}), field('config.configurable.thread_id'));
    await assert.rejects(saver.put({ configurable: { thread_id: 't', checkpoint_ns: 1 } }, cp, meta, {}), field('config.configurable.checkpoint_ns'));
    await assert.rejects(saver.put({ configurable: { thread_id: 't' } }, { ...cp, id: '' }, meta, {}), field('checkpoint.id'));
    await assert.rejects(saver.put({ configurable: { thread_id: 't' } }, cp, meta, { a: {} as never }), field('newVersions.a'));
    await assert.rejects(saver.putWrites({ configurable: { checkpoint_id: 'c' } }, [], 'task'), field('config.configurable.thread_id'));
    await assert.rejects(saver.putWrites({ configurable: { thread_id: 't' } }, [], 'task'), field('config.configurable.checkpoint_id'));
    await assert.rejects(saver.putWrites({ configurable: { thread_id: 't', checkpoint_id: 'c' } }, [['a', 1]], ''), field('taskId'));
    await assert.rejects(saver.putWrites({ configurable: { thread_id: 't', checkpoint_id: 'c' } }, [[1 as never, 1]], 'task'), field('writes.0'));
    await assert.rejects(saver.deleteThread(''), field('threadId'));
    await assert.rejects(async () => { for await (const _ of saver.list({}, { limit: -1 })); }, field('options.limit'));
    assert.equal(await saver.getTuple({ configurable: {} }), undefined);
    assert.equal(await count(saver, 'lg_checkpoints'), 0);
    assert.throws(() => new FlowstoreSaver(saver.store, { serde: {} as never }), { code: 'FLOWSTORE_INVALID_OPTIONS' });
    await assert.rejects(FlowstoreSaver.open({ path: ':memory:', pageSize: 3 } as never), { code: 'FLOWSTORE_INVALID_OPTIONS' });
  });
}

/** Moves a thread's checkpoints back in time through a connection of its own (store.query is read-only). */
async function backdate(where: StoreOptions, threadId: string, days: number): Promise<void> {
  if (where.postgres?.schema) {
    const client = new pg.Client({ connectionString: where.path, options: `-c search_path=${where.postgres.schema}` });
    await client.connect();
    try {
      await client.query('UPDATE lg_checkpoints SET created_at = now() - make_interval(days => $1) WHERE thread_id = $2', [days, threadId]);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new DatabaseSync(where.path!, { timeout: 5000 });
  try {
    db.prepare("UPDATE lg_checkpoints SET created_at = strftime('%Y-%m-%d %H:%M:%f', 'now', ?) WHERE thread_id = ?").run(`-${days} days`, threadId);
  } finally {
    db.close();
  }
}

test('importing flowstore alone never loads @langchain packages', (t) => {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(specifier, context, next) { if (specifier.startsWith('@langchain/')) seen.push(specifier); return next(specifier, context); } });
    const { openStore } = await import(${JSON.stringify(`${root}src/index.ts`)});
    const store = await openStore({ path: ':memory:', readers: 1 });
    await store.langgraph.getTuple('t', '');
    await store.close();
    const lg = seen.length;
    await import(${JSON.stringify(`${root}src/langgraph/index.ts`)});
    console.log(JSON.stringify({ before: lg, after: seen.length }));`;
  const probe = join(tempDir(t), 'probe.mjs');
  writeFileSync(probe, script);
  const out = JSON.parse(execFileSync(process.execPath, [probe], { encoding: 'utf8' }).trim().split('\n').at(-1)!);
  assert.equal(out.before, 0);
  assert.ok(out.after > 0);
});
