/** store.dag workloads (issue 3), each beside raw node:sqlite doing the same SQL on the main thread. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { zlibSync, unzlibSync } from 'fflate';
import { Codec, fromJsonText, toJsonText, toSqlTime } from '../../src/codec.ts';
import { prepareDag } from '../../src/domains/dag/sqlite.ts';
import { DEFAULT_COMPRESSION_LEVEL, DEFAULT_COMPRESSION_THRESHOLD_BYTES, openStore, type Store } from '../../src/index.ts';
import type { BenchCase, BenchContext } from '../case.ts';
import { backgroundDone, inFlight, openRaw } from '../shared.ts';

const PER_ITERATION = 1000;
const NODES = 200;
const TREE_BYTES = 100 * 1024;

/** One node's outputs after it ran: a handful of small values, ~600 bytes of JSON. */
function nodeOutputs(i: number): Record<string, unknown> {
  return {
    status: i % 9 === 0 ? 'failed' : 'completed',
    rows: (i * 7919) % 100_000,
    uri: `s3://dag-artifacts/etl/node_${i % NODES}/${i}.parquet`,
    startedAt: new Date(1_735_732_800_000 + i * 1000),
    durationMs: (i * 104_729) % 9000,
    summary: { min: i % 13, max: 1000 + (i % 97), mean: 500.5, columns: ['id', 'name', 'amount', 'created_at'] },
    note: `node ${i % NODES} attempt ${1 + (i % 3)}: ${'ok '.repeat(40)}`,
  };
}

/** A realistic execution tree of about `targetBytes` of JSON: nodes with status, times, retries, hashes, edges. */
export function executionTree(targetBytes: number): { nodes: unknown[]; edges: [string, string][] } {
  const statuses = ['completed', 'completed', 'completed', 'failed', 'skipped', 'running', 'pending'];
  const actions = ['fetch_http', 'parse_csv', 'transform', 'llm_call', 'validate_schema', 'write_s3', 'aggregate'];
  const start = Date.UTC(2025, 0, 1, 12);
  const nodes: unknown[] = [];
  const tree = { dagId: 'customer_etl', version: 3, startedAt: new Date(start).toISOString(), nodes, edges: [] as [string, string][] };
  const name = (i: number) => `node_${String(i).padStart(4, '0')}`;
  for (let i = 0; JSON.stringify(tree).length < targetBytes; i++) {
    const status = statuses[(i * 7 + (i >> 3)) % statuses.length]!;
    const began = start + i * 1371 + ((i * 7919) % 500);
    const hash = createHash('sha256').update(name(i)).digest('hex');
    const action = actions[i % actions.length]!;
    nodes.push({
      id: name(i), name: `${action} ${i}`, action, status,
      startedAt: new Date(began).toISOString(),
      finishedAt: status === 'running' || status === 'pending' ? null : new Date(began + ((i * 104_729) % 9000)).toISOString(),
      durationMs: (i * 104_729) % 9000, attempts: i % 3 === 0 ? 2 : 1, dependencies: i > 0 ? [name(i >> 1)] : [],
      outputs: { rows: (i * 7919) % 100_000, bytes: (i * 15_485_863) % 10_000_000, checksum: hash.slice(0, 32), uri: `s3://dag-artifacts/customer_etl/${name(i)}/${hash.slice(0, 12)}.parquet` },
      error: status === 'failed' ? `TimeoutError: upstream ${actions[(i + 3) % actions.length]} did not answer within 30000 ms` : null,
    });
    if (i > 0) tree.edges.push([name(i >> 1), name(i)]);
  }
  return tree;
}


/** A raw connection on its own file with flowstore's dag schema and statements. */
function rawDb(ctx: BenchContext, name: string) {
  const db = openRaw(ctx, name, '0002_dag.sql');
  return { db, sql: prepareDag(db) };
}

const codec = new Codec({ thresholdBytes: DEFAULT_COMPRESSION_THRESHOLD_BYTES, level: DEFAULT_COMPRESSION_LEVEL });

const deltas: BenchCase = {
  name: "dag.saveCacheDelta of one node's outputs, 64 in flight",
  rawLabel: 'same upserts (7 per delta), JSON-encoded in the loop, 1,000 deltas per transaction',
  ops: PER_ITERATION,
  async setup(ctx) {
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
    const raw = rawDb(ctx, 'raw.db');
    let base = 0;
    return {
      flowstore: () => {
        const offset = (base += PER_ITERATION);
        return inFlight(PER_ITERATION, (i) => store.dag.saveCacheDelta('etl', { [`node_${(offset + i) % NODES}`]: nodeOutputs(offset + i) }));
      },
      drained: backgroundDone,
      raw: () => {
        const offset = (base += PER_ITERATION);
        raw.db.exec('BEGIN IMMEDIATE');
        for (let i = 0; i < PER_ITERATION; i++) {
          const now = toSqlTime(new Date());
          const node = `node_${(offset + i) % NODES}`;
          for (const [key, value] of Object.entries(nodeOutputs(offset + i))) raw.sql.artifacts.upsert.run('etl', node, key, codec.encodeJson(value), now);
        }
        raw.db.exec('COMMIT');
      },
      teardown: async () => {
        await store.close();
        raw.db.close();
      },
    };
  },
};

async function storeWithCache(ctx: BenchContext): Promise<Store> {
  const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
  const cache: Record<string, Record<string, unknown>> = {};
  // 1,000 entries: 100 nodes × 10 keys, each a small JSON value.
  for (let n = 0; n < 100; n++) {
    const outputs = nodeOutputs(n);
    cache[`node_${n}`] = { ...outputs, extra1: n, extra2: `value ${n}`, extra3: [n, n + 1] };
  }
  await store.dag.saveCache('etl', cache);
  return store;
}

const loadCache: BenchCase = {
  name: 'dag.loadCache of a DAG with 1,000 entries',
  rawLabel: 'same SELECT + JSON decode into nested objects, main thread',
  ops: 1,
  async setup(ctx) {
    const store = await storeWithCache(ctx);
    const raw = new DatabaseSync(join(ctx.dir, 'flowstore.db'), { readOnly: true });
    const load = prepareDag(raw).artifacts.load;
    return {
      flowstore: () => store.dag.loadCache('etl'),
      raw: () => {
        const cache: Record<string, Record<string, unknown>> = {};
        for (const row of load.all('etl') as { node_id: string; key: string; value: string | Uint8Array }[]) {
          (cache[row.node_id] ??= {})[row.key] = codec.decodeJson(row.value);
        }
        return cache;
      },
      teardown: async () => {
        await store.close();
        raw.close();
      },
    };
  },
};

/** Deflate of the 100 KB tree at every level: ratio and time, measured once in setup. */
function levelSweep(bytes: Uint8Array): Record<string, string> {
  const notes: Record<string, string> = {};
  for (let level = 1; level <= 9; level++) {
    const deflate = () => zlibSync(bytes, { level: level as 1 });
    for (let w = 0; w < 10; w++) deflate();
    const runs = 50;
    let out = deflate();
    const started = performance.now();
    for (let k = 0; k < runs; k++) out = deflate();
    const ms = (performance.now() - started) / runs;
    const inflateStarted = performance.now();
    for (let k = 0; k < runs; k++) unzlibSync(out);
    const inflateMs = (performance.now() - inflateStarted) / runs;
    notes[`level${level}`] = `${(bytes.byteLength / out.byteLength).toFixed(2)}x ${ms.toFixed(2)}ms (inflate ${inflateMs.toFixed(2)}ms)`;
  }
  return notes;
}

const tree = executionTree(TREE_BYTES);
const treeBytes = Buffer.from(toJsonText(tree), 'utf8');

const saveTree: BenchCase = {
  name: 'dag.saveExecutionTree, 100 KB JSON tree (compressed)',
  rawLabel: 'JSON encode + deflate (same level) + upsert, autocommit, main thread',
  ops: 1,
  async setup(ctx) {
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
    const raw = rawDb(ctx, 'raw.db');
    const sweep = levelSweep(treeBytes);
    const compressed = zlibSync(treeBytes, { level: DEFAULT_COMPRESSION_LEVEL as 3 });
    return {
      flowstore: () => store.dag.saveExecutionTree('etl', tree),
      raw: () => {
        const json = Buffer.from(toJsonText(tree), 'utf8');
        const data = zlibSync(json, { level: DEFAULT_COMPRESSION_LEVEL as 3 });
        raw.sql.trees.upsert.run('etl', data, 1, json.byteLength, toSqlTime(new Date()));
      },
      notes: () => ({ jsonBytes: treeBytes.byteLength, storedBytes: compressed.byteLength, level: DEFAULT_COMPRESSION_LEVEL, ratio: Number((treeBytes.byteLength / compressed.byteLength).toFixed(2)), ...sweep }),
      teardown: async () => {
        await store.close();
        raw.db.close();
      },
    };
  },
};

const loadTree: BenchCase = {
  name: 'dag.loadExecutionTree, 100 KB JSON tree (compressed)',
  rawLabel: 'SELECT + inflate + JSON decode, main thread',
  ops: 1,
  async setup(ctx) {
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
    await store.dag.saveExecutionTree('etl', tree);
    const raw = new DatabaseSync(join(ctx.dir, 'flowstore.db'), { readOnly: true });
    const load = prepareDag(raw).trees.load;
    return {
      flowstore: () => store.dag.loadExecutionTree('etl'),
      raw: () => {
        const row = load.get('etl') as { data: Uint8Array; compressed: number };
        return fromJsonText(Buffer.from(codec.decodeBytes(row.data, row.compressed)).toString('utf8'));
      },
      teardown: async () => {
        await store.close();
        raw.close();
      },
    };
  },
};

export const cases: BenchCase[] = [deltas, loadCache, saveTree, loadTree];
