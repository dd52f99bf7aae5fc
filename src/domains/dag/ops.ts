/** store.dag operations: declared once, run by the workers by name. */
import type { StatementSync } from 'node:sqlite';
import { fromSqlTime, toSqlTime, type Codec } from '../../codec.ts';
import { defineDomain, opsOf } from '../../engine/op.ts';
import { decodeBlob, decodeJsonBlob, decoding, encodeBlob, encodeJsonBlob } from './blob.ts';
import { formatDump, summarize } from './dump.ts';
import { prepareDag, type ArtifactRow, type BlobRow, type DagStatements, type DumpRow, type SnapshotRow } from './sql.ts';
import {
  dagIdInput, dumpInput, loadStateInput, pruneInput, saveCacheInput, saveSnapshotInput, saveStateInput, saveTreeInput,
  snapshotIdInput, type CacheEntry, type DagCache, type DagDump, type SnapshotInfo,
} from './schema.ts';

const op = opsOf<DagStatements>();

/** Sets a property even when it is named `__proto__`, which plain assignment would turn into a prototype change. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Encodes here, on the writer thread: JSON and compression never run on the caller's thread. */
function writeEntries(statement: StatementSync, codec: Codec, dagId: string, entries: CacheEntry[]): void {
  const now = toSqlTime(new Date());
  for (const [nodeId, key, value] of entries) statement.run(dagId, nodeId, key, codec.encodeJson(value), now);
}

export const dag = defineDomain('dag', { sqlite: prepareDag }, {
  saveCache: op({
    kind: 'write',
    input: saveCacheInput,
    // Runs in the writer's savepoint: the delete and every insert commit together or not at all.
    run({ sql, codec }, { dagId, cache }): void {
      sql.artifacts.deleteDag.run(dagId);
      writeEntries(sql.artifacts.insert, codec, dagId, cache);
    },
  }),

  saveCacheDelta: op({
    kind: 'write',
    input: saveCacheInput,
    run({ sql, codec }, { dagId, cache }): void {
      writeEntries(sql.artifacts.upsert, codec, dagId, cache);
    },
  }),

  loadCache: op({
    kind: 'read',
    input: dagIdInput,
    run({ sql, codec }, { dagId }): DagCache {
      const rows = sql.artifacts.load.all(dagId) as unknown as ArtifactRow[];
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
    input: saveTreeInput,
    run({ sql, codec }, { dagId, tree }): void {
      const blob = encodeJsonBlob(codec, tree);
      sql.trees.upsert.run(dagId, blob.data, blob.compressed, blob.size, toSqlTime(new Date()));
    },
  }),

  loadExecutionTree: op({
    kind: 'read',
    input: dagIdInput,
    run({ sql, codec }, { dagId }): unknown {
      const row = sql.trees.load.get(dagId) as BlobRow | undefined;
      return row ? decoding('execution_trees', dagId, () => decodeJsonBlob(codec, row)) : null;
    },
  }),

  saveSnapshot: op({
    kind: 'write',
    input: saveSnapshotInput,
    run({ sql, codec }, { dagId, data }): number {
      const blob = encodeBlob(codec, data);
      const row = sql.snapshots.insert.get(dagId, blob.data, blob.compressed, blob.size, toSqlTime(new Date())) as { id: number };
      return row.id;
    },
  }),

  loadLatestSnapshot: op({
    kind: 'read',
    input: dagIdInput,
    run({ sql, codec }, { dagId }): Uint8Array | null {
      const row = sql.snapshots.latest.get(dagId) as BlobRow | undefined;
      return row ? decoding('snapshots', dagId, () => decodeBlob(codec, row)) : null;
    },
  }),

  loadSnapshot: op({
    kind: 'read',
    input: snapshotIdInput,
    run({ sql, codec }, { dagId, id }): Uint8Array | null {
      const row = sql.snapshots.byId.get(dagId, id) as BlobRow | undefined;
      return row ? decoding('snapshots', dagId, () => decodeBlob(codec, row)) : null;
    },
  }),

  listSnapshots: op({
    kind: 'read',
    input: dagIdInput,
    run({ sql }, { dagId }): SnapshotInfo[] {
      return (sql.snapshots.list.all(dagId) as unknown as SnapshotRow[]).map((row) => ({
        id: row.id, size: row.size, storedSize: row.stored_size, compressed: row.compressed === 1, createdAt: fromSqlTime(row.created_at),
      }));
    },
  }),

  pruneSnapshots: op({
    kind: 'write',
    input: pruneInput,
    run({ sql }, { dagId, keep }): number {
      return Number(sql.snapshots.prune.run(dagId, keep).changes);
    },
  }),

  saveExecutionState: op({
    kind: 'write',
    input: saveStateInput,
    run({ sql, codec }, { dagId, stateType, data }): void {
      const blob = encodeBlob(codec, data);
      sql.states.upsert.run(dagId, stateType, blob.data, blob.compressed, blob.size, toSqlTime(new Date()));
    },
  }),

  loadExecutionState: op({
    kind: 'read',
    input: loadStateInput,
    run({ sql, codec }, { dagId, stateType }): Uint8Array | null {
      const row = sql.states.load.get(dagId, stateType) as BlobRow | undefined;
      return row ? decoding('execution_state', dagId, () => decodeBlob(codec, row)) : null;
    },
  }),

  debugDump: op({
    kind: 'read',
    input: dumpInput,
    run({ sql }): DagDump {
      const dags = summarize(sql.dump.all() as unknown as DumpRow[]);
      return { dags, text: formatDump(dags) };
    },
  }),
});
