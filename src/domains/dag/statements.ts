/**
 * What store.dag needs of a backend: the same names on SQLite and PostgreSQL, each
 * backend's SQL in its own file (sqlite.ts, postgres.ts), rows in one shape.
 */
import type { Awaitable, Statement } from '../../engine/op.ts';
import type { CacheEntry } from './schema.ts';

export interface DagStatements {
  artifacts: {
    /**
     * Holds the DAG's artifacts against another store's saveCache until the transaction
     * ends, so that two replacements never interleave into a mix of both. SQLite's one
     * writer already runs them one after the other: there it does nothing.
     */
    lock(dagId: string): Awaitable<unknown>;
    /** `(dagId)` */
    deleteDag: Statement;
    /**
     * Inserts a whole cache: each entry's value as `encode` gives it, every row at `now`.
     * SQLite runs a prepared insert per entry; PostgreSQL sends one statement for them all.
     */
    insertAll(dagId: string, entries: readonly CacheEntry[], encode: (value: unknown) => string | Uint8Array, now: string): Awaitable<unknown>;
    /** `(dagId, nodeId, key, value, now)`: `created_at` survives, `value` and `updated_at` move. */
    upsert: Statement;
    /** `(dagId)` → {@link ArtifactRow}s ordered by node and key, in one statement (one consistent read). */
    load: Statement;
  };
  trees: {
    /** `(dagId, data, compressed, size, now)` */
    upsert: Statement;
    /** `(dagId)` → {@link BlobRow} */
    load: Statement;
  };
  snapshots: {
    /** `(dagId, data, compressed, size, now)` → `{ id }`, increasing with every insert. */
    insert: Statement;
    /** `(dagId)` → the {@link BlobRow} of the highest id */
    latest: Statement;
    /** `(dagId, id)` → {@link BlobRow} */
    byId: Statement;
    /** `(dagId)` → {@link SnapshotRow}s by id */
    list: Statement;
    /** `(dagId, keep)`: deletes all but the `keep` highest ids. */
    prune: Statement;
  };
  states: {
    /** `(dagId, stateType, data, compressed, size, now)` */
    upsert: Statement;
    /** `(dagId, stateType)` → {@link BlobRow} */
    load: Statement;
  };
  /** {@link DumpRow}s over the four tables, in one statement, ordered by DAG. */
  dump: Statement;
}

/** A row as both backends return it. */
export interface ArtifactRow {
  node_id: string;
  key: string;
  /** JSON text, or its deflated bytes (PostgreSQL returns either as bytes; the codec tells them apart). */
  value: string | Uint8Array;
}

export interface BlobRow {
  data: unknown;
  compressed: number;
}

export interface SnapshotRow {
  id: number;
  size: number;
  stored_size: number;
  compressed: number;
  created_at: string;
}

export interface DumpRow {
  dag_id: string;
  kind: 'artifacts' | 'tree' | 'snapshots' | 'state';
  state_type: string | null;
  n: number;
  stored: number | null;
  size: number | null;
}
