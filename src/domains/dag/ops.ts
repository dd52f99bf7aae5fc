/** store.dag operations: declared once, run by the workers by name. */
import { fromSqlTime, toSqlTime } from '../../codec.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { defineDomain, opsOf } from '../../engine/op.ts';
import { decodeBlob, decodeJsonBlob, decoding, encodeBlob, encodeJsonBlob } from './blob.ts';
import { formatDump, summarize } from './dump.ts';
import { prepareDag as prepareSqlite } from './sqlite.ts';
import { prepareDag as preparePostgres } from './postgres.ts';
import type { ArtifactRow, BlobRow, DagStatements, DumpRow, SnapshotRow } from './statements.ts';
import type * as Schemas from './schema.ts';
import type { DagCache, DagDump, SnapshotInfo } from './schema.ts';

const op = opsOf<DagStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');

/** Sets a property even when it is named `__proto__`, which plain assignment would turn into a prototype change. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * The writes of a cache: values encoded here, on the writer thread (JSON and compression
 * never run on the caller's). Nothing is awaited: SQLite has written when a statement
 * returns; PostgreSQL's writer settles a batch's statements together, in one round trip.
 */
export const dag = defineDomain('dag', { sqlite: prepareSqlite, postgres: preparePostgres }, {
  saveCache: op({
    kind: 'write',
    input: s.saveCacheInput,
    // Runs in the writer's transaction: the delete and the inserts commit together or not at all.
    run({ sql, codec }, { dagId, cache }): void {
      void sql.artifacts.lock(dagId);
      void sql.artifacts.deleteDag.run(dagId);
      void sql.artifacts.insertAll(dagId, cache, (value) => codec.encodeJson(value), toSqlTime(new Date()));
    },
  }),

  saveCacheDelta: op({
    kind: 'write',
    input: s.saveCacheInput,
    // A statement per entry: deltas are small, and one multi-row statement is slower there.
    run({ sql, codec }, { dagId, cache }): void {
      const now = toSqlTime(new Date());
      for (const [nodeId, key, value] of cache) void sql.artifacts.upsert.run(dagId, nodeId, key, codec.encodeJson(value), now);
    },
  }),

  loadCache: op({
    kind: 'read',
    input: s.dagIdInput,
    async run({ sql, codec }, { dagId }): Promise<DagCache> {
      const rows = (await sql.artifacts.load.all(dagId)) as ArtifactRow[];
      const cache: DagCache = {};
      let nodeId: string | undefined;
      let node: Record<string, unknown> = {};
      // Rows come ordered by node: one object per node, built as its rows pass.
      for (const row of rows) {
        if (row.node_id !== nodeId) {
          nodeId = row.node_id;
          node = {};
          put(cache, nodeId, node);
        }
        put(node, row.key, decoding('artifacts', dagId, () => codec.decodeJson(row.value)));
      }
      return cache;
    },
  }),

  saveExecutionTree: op({
    kind: 'write',
    input: s.saveTreeInput,
    run({ sql, codec }, { dagId, tree }): void {
      const blob = encodeJsonBlob(codec, tree);
      void sql.trees.upsert.run(dagId, blob.data, blob.compressed, blob.size, toSqlTime(new Date()));
    },
  }),

  loadExecutionTree: op({
    kind: 'read',
    input: s.dagIdInput,
    async run({ sql, codec }, { dagId }): Promise<unknown> {
      const row = (await sql.trees.load.get(dagId)) as BlobRow | undefined;
      return row ? decoding('execution_trees', dagId, () => decodeJsonBlob(codec, row)) : null;
    },
  }),

  saveSnapshot: op({
    kind: 'write',
    input: s.saveSnapshotInput,
    async run({ sql, codec }, { dagId, data }): Promise<number> {
      const blob = encodeBlob(codec, data);
      const row = (await sql.snapshots.insert.get(dagId, blob.data, blob.compressed, blob.size, toSqlTime(new Date()))) as { id: number };
      return row.id;
    },
  }),

  loadLatestSnapshot: op({
    kind: 'read',
    input: s.dagIdInput,
    async run({ sql, codec }, { dagId }): Promise<Uint8Array | null> {
      const row = (await sql.snapshots.latest.get(dagId)) as BlobRow | undefined;
      return row ? decoding('snapshots', dagId, () => decodeBlob(codec, row)) : null;
    },
  }),

  loadSnapshot: op({
    kind: 'read',
    input: s.snapshotIdInput,
    async run({ sql, codec }, { dagId, id }): Promise<Uint8Array | null> {
      const row = (await sql.snapshots.byId.get(dagId, id)) as BlobRow | undefined;
      return row ? decoding('snapshots', dagId, () => decodeBlob(codec, row)) : null;
    },
  }),

  listSnapshots: op({
    kind: 'read',
    input: s.dagIdInput,
    async run({ sql }, { dagId }): Promise<SnapshotInfo[]> {
      return ((await sql.snapshots.list.all(dagId)) as SnapshotRow[]).map((row) => ({
        id: row.id, size: row.size, storedSize: row.stored_size, compressed: row.compressed === 1, createdAt: fromSqlTime(row.created_at),
      }));
    },
  }),

  pruneSnapshots: op({
    kind: 'write',
    input: s.pruneInput,
    async run({ sql }, { dagId, keep }): Promise<number> {
      return Number((await sql.snapshots.prune.run(dagId, keep)).changes);
    },
  }),

  saveExecutionState: op({
    kind: 'write',
    input: s.saveStateInput,
    run({ sql, codec }, { dagId, stateType, data }): void {
      const blob = encodeBlob(codec, data);
      void sql.states.upsert.run(dagId, stateType, blob.data, blob.compressed, blob.size, toSqlTime(new Date()));
    },
  }),

  loadExecutionState: op({
    kind: 'read',
    input: s.loadStateInput,
    async run({ sql, codec }, { dagId, stateType }): Promise<Uint8Array | null> {
      const row = (await sql.states.load.get(dagId, stateType)) as BlobRow | undefined;
      return row ? decoding('execution_state', dagId, () => decodeBlob(codec, row)) : null;
    },
  }),

  debugDump: op({
    kind: 'read',
    input: s.dumpInput,
    async run({ sql }): Promise<DagDump> {
      const dags = summarize((await sql.dump.all()) as DumpRow[]);
      return { dags, text: formatDump(dags) };
    },
  }),
});
