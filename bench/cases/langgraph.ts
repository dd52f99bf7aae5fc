/**
 * flowstore/langgraph (issue 13): a graph step as LangGraph issues it, the file a long
 * thread leaves, and the caller's event loop while list reads 10,000 checkpoints, each
 * beside raw node:sqlite doing the same on the main thread.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { JsonPlusSerializer, emptyCheckpoint, uuid6, type Checkpoint } from '@langchain/langgraph-checkpoint';
import { prepareLangGraph } from '../../src/domains/langgraph/sqlite.ts';
import type { CheckpointRow } from '../../src/domains/langgraph/statements.ts';
import { openStore } from '../../src/index.ts';
import { FlowstoreSaver } from '../../src/langgraph/index.ts';
import type { BenchCase } from '../case.ts';
import { backgroundDone, inFlight, IN_FLIGHT, openRaw } from '../shared.ts';

const STEPS = 512;
const serde = new JsonPlusSerializer();
const meta = { source: 'loop' as const, step: 1, parents: {} };

/** A step's state: a few messages and a counter, about 1 KB, and the write a node makes. */
function stepState(i: number): { checkpoint: Checkpoint; write: [string, unknown][] } {
  const messages = Array.from({ length: 4 }, (_, m) => ({ role: m % 2 ? 'ai' : 'human', content: `message ${m} of step ${i} `.repeat(8) }));
  const checkpoint = { ...emptyCheckpoint(), id: uuid6(-1), channel_values: { messages, step: i }, channel_versions: { messages: i + 1, step: i + 1 } };
  return { checkpoint, write: [['messages', messages[3]]] };
}

/** The raw side's statements and encoded values: the same SQL, the same serde bytes, made outside the timing. */
async function rawSide(db: DatabaseSync) {
  const sql = prepareLangGraph(db);
  const { checkpoint, write } = stepState(0);
  const { channel_values: values, ...skeleton } = checkpoint;
  const [cp, md, messages, step, written] = (await Promise.all([skeleton, meta, values.messages, values.step, write[0]![1]].map((v) => serde.dumpsTyped(v)))).map(([, bytes]) => bytes);
  return { sql, cp: cp!, mdText: new TextDecoder().decode(md), messages: messages!, step: step!, written: written!, versions: JSON.stringify({ messages: '1', step: '1' }) };
}

const graphStep: BenchCase = {
  name: 'LangGraph step (put + putWrites + getTuple), 64 threads in flight',
  rawLabel: 'same statements on the main thread, a transaction per put and per putWrites, values serialized beforehand',
  ops: STEPS,
  async setup(ctx) {
    const saver = await FlowstoreSaver.open({ path: join(ctx.dir, 'flowstore.db') });
    const db = openRaw(ctx, 'raw.db', '0006_langgraph.sql');
    const raw = await rawSide(db);
    const parents = new Map<number, string>();
    let base = 0;
    return {
      flowstore: () => inFlight(STEPS, async (i) => {
        const thread = i % IN_FLIGHT;
        const { checkpoint, write } = stepState(base + i);
        const config = await saver.put({ configurable: { thread_id: `t${thread}`, checkpoint_id: parents.get(thread) } }, checkpoint, meta, checkpoint.channel_versions);
        parents.set(thread, checkpoint.id);
        await saver.putWrites(config, write, `task-${i}`, '~node');
        await saver.getTuple(config);
      }).then(() => { base += STEPS; }),
      drained: backgroundDone,
      raw: () => {
        for (let i = 0; i < STEPS; i++) {
          const thread = `t${i % IN_FLIGHT}`;
          const id = uuid6(-1);
          db.exec('BEGIN IMMEDIATE');
          raw.sql.insertBlob.run(thread, '', 'messages', String(base + i), 'json', raw.messages, 0);
          raw.sql.insertBlob.run(thread, '', 'step', String(base + i), 'json', raw.step, 0);
          raw.sql.upsertCheckpoint.run(thread, '', id, null, 4, 'json', raw.cp, 0, raw.versions, 'json', raw.mdText, new Date().toISOString());
          db.exec('COMMIT');
          db.exec('BEGIN IMMEDIATE');
          raw.sql.insertWrite.run(thread, '', id, `task-${i}`, 0, 'messages', 'json', raw.written, 0, '~node');
          db.exec('COMMIT');
          const row = raw.sql.checkpoint.get(thread, '', id) as unknown as CheckpointRow;
          raw.sql.blobs.all(row.channel_versions, thread, '');
          raw.sql.writes.all(thread, '', id);
        }
        base += STEPS;
      },
      teardown: async () => {
        await saver.close();
        db.close();
      },
    };
  },
};

/** What a file holds after 200 steps of a thread whose 200 KB channel changed once, in each layout. */
const DOC_STEPS = 200;
const doc = randomBytes(150_000).toString('base64');

async function steps(saver: FlowstoreSaver, thread: string): Promise<void> {
  let parent: string | undefined;
  for (let i = 0; i < DOC_STEPS; i++) {
    const checkpoint = { ...emptyCheckpoint(), id: uuid6(-1), channel_values: { doc, step: i }, channel_versions: { doc: 1, step: i + 1 } };
    await saver.put({ configurable: { thread_id: thread, checkpoint_id: parent } }, checkpoint, meta, i === 0 ? { doc: 1, step: 1 } : { step: i + 1 });
    parent = checkpoint.id;
  }
}

/** LangGraph's SQLite saver's table (its setup()): each checkpoint with every channel value in it. */
const SQLITE_SAVER_LAYOUT = `CREATE TABLE checkpoints (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '',
  checkpoint_id TEXT NOT NULL, parent_checkpoint_id TEXT, type TEXT, checkpoint BLOB, metadata BLOB,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id))`;

const fileSize: BenchCase = {
  name: 'LangGraph thread of 200 steps, a 200 KB channel changed once (steps/s; file sizes in notes)',
  rawLabel: "LangGraph's SQLite saver layout (every channel in every checkpoint), same serde, a transaction per put",
  ops: DOC_STEPS,
  async setup(ctx) {
    const sizes: Record<string, string> = {};
    // The sizes, once, on files of their own: the timed iterations below keep adding to theirs.
    const sized = await FlowstoreSaver.open({ path: join(ctx.dir, 'sized.db'), compression: false });
    await steps(sized, 'doc');
    await sized.close();
    const layout = openRaw(ctx, 'layout.db', null);
    layout.exec(SQLITE_SAVER_LAYOUT);
    const insert = layout.prepare('INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?, ?)');
    const [, md] = await serde.dumpsTyped(meta);
    const full: Uint8Array[] = [];
    for (let i = 0; i < DOC_STEPS; i++) full.push((await serde.dumpsTyped({ ...emptyCheckpoint(), channel_values: { doc, step: i }, channel_versions: { doc: 1, step: i + 1 } }))[1]);
    for (let i = 0; i < DOC_STEPS; i++) insert.run('doc', '', uuid6(-1), null, 'json', full[i]!, md);
    layout.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    layout.close();
    const mb = (file: string) => `${(statSync(join(ctx.dir, file)).size / 1e6).toFixed(2)} MB`;
    sizes.flowstoreFile = mb('sized.db');
    sizes.sqliteSaverLayoutFile = mb('layout.db');

    const saver = await FlowstoreSaver.open({ path: join(ctx.dir, 'flowstore.db') });
    const raw = openRaw(ctx, 'raw.db', null);
    raw.exec(SQLITE_SAVER_LAYOUT);
    const rawInsert = raw.prepare('INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?, ?)');
    let n = 0;
    return {
      flowstore: () => steps(saver, `doc-${n++}`),
      drained: backgroundDone,
      raw: () => {
        const thread = `doc-${n++}`;
        for (let i = 0; i < DOC_STEPS; i++) {
          raw.exec('BEGIN IMMEDIATE');
          rawInsert.run(thread, '', uuid6(-1), null, 'json', full[i]!, md);
          raw.exec('COMMIT');
        }
      },
      notes: () => sizes,
      teardown: async () => {
        await saver.close();
        raw.close();
      },
    };
  },
};

const LISTED = 10_000;

/** Runs `work` while a 1 ms timer ticks; returns the longest wait between ticks. */
async function longestGap(work: () => Promise<void> | void): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    clearInterval(timer);
  }
  return longest;
}

const listGap: BenchCase = {
  name: 'LangGraph list of 10,000 checkpoints (checkpoints/s; longest 1 ms-timer gap in notes)',
  rawLabel: 'same statements and serde on the main thread',
  ops: LISTED,
  async setup(ctx) {
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
    const saver = new FlowstoreSaver(store);
    let parent: string | undefined;
    for (let i = 0; i < LISTED; i += 500) {
      const batch = Array.from({ length: 500 }, (_, j) => stepState(i + j));
      await Promise.all(batch.map(({ checkpoint }) => {
        const put = saver.put({ configurable: { thread_id: 'long', checkpoint_id: parent } }, checkpoint, meta, checkpoint.channel_versions);
        parent = checkpoint.id;
        return put;
      }));
    }
    const db = openRaw(ctx, 'flowstore.db', null);
    const sql = prepareLangGraph(db);
    const gaps = { flowstore: 0, raw: 0 };
    const decode = async (row: CheckpointRow) => {
      const blobs = sql.blobs.all(row.channel_versions, row.thread_id, row.checkpoint_ns) as unknown as { channel: string; type: string; blob: Uint8Array }[];
      await serde.loadsTyped(row.type, row.checkpoint);
      await serde.loadsTyped(row.metadata_type, row.metadata as string);
      for (const b of blobs) await serde.loadsTyped(b.type, b.blob);
      for (const w of sql.writes.all(row.thread_id, row.checkpoint_ns, row.checkpoint_id) as unknown as { type: string; blob: Uint8Array }[]) await serde.loadsTyped(w.type, w.blob);
    };
    return {
      flowstore: async () => {
        gaps.flowstore = Math.max(gaps.flowstore, await longestGap(async () => {
          let n = 0;
          for await (const _ of saver.list({ configurable: { thread_id: 'long', checkpoint_ns: '' } })) n++;
          if (n !== LISTED) throw new Error(`listed ${n}`);
        }));
      },
      raw: async () => {
        gaps.raw = Math.max(gaps.raw, await longestGap(async () => {
          for (const row of sql.list.inNamespace.all('long', '', null, null, null, LISTED + 1, null, null, null) as unknown as CheckpointRow[]) await decode(row);
        }));
      },
      notes: () => ({ flowstoreLongestGapMs: gaps.flowstore.toFixed(1), rawLongestGapMs: gaps.raw.toFixed(1) }),
      teardown: async () => {
        db.close();
        await store.close();
      },
    };
  },
};

export const cases: BenchCase[] = [graphStep, fileSize, listGap];
