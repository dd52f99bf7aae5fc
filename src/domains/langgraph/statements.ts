/**
 * What store.langgraph needs of a backend: the same names on SQLite and PostgreSQL, each
 * backend's SQL in its own file, rows in one shape. Parameters are positional and the
 * same on both; each statement's comment in sqlite.ts says what they are.
 */
import type { Statement } from '../../engine/op.ts';

export interface LangGraphStatements {
  /** A read of several statements sees one snapshot (readers only: the writer is inside its transaction). */
  beginRead: Statement;
  endRead: Statement;
  insertBlob: Statement;
  upsertCheckpoint: Statement;
  insertWrite: Statement;
  replaceWrite: Statement;
  checkpoint: Statement;
  latest: Statement;
  blobs: Statement;
  writes: Statement;
  sends: Statement;
  list: { inNamespace: Statement; inThread: Statement; everywhere: Statement };
  deleteThread: { checkpoints: Statement; blobs: Statement; writes: Statement };
  prune: { checkpoints: Statement; writes: Statement; blobs: Statement };
  idleThreads: Statement;
  items: {
    get: Statement;
    search: { under: Statement; all: Statement };
    match: { under: Statement; all: Statement };
    namespaces: { under: Statement; all: Statement };
    upsert: Statement;
    delete: Statement;
    refresh: Statement;
    sweep: Statement;
  };
}

/** A checkpoint row as both backends return it. */
export interface CheckpointRow {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  v: number;
  type: string;
  checkpoint: Uint8Array;
  compressed: number;
  channel_versions: string;
  metadata_type: string;
  metadata: string | Uint8Array;
}

export interface BlobRow { channel: string; type: string; blob: Uint8Array | null; compressed: number }
export interface WriteRow { task_id: string; channel: string; type: string; blob: Uint8Array; compressed: number }

export interface ItemRow {
  namespace: string;
  key: string;
  value: string | Uint8Array;
  value_compressed: number;
  created_at: string;
  updated_at: string;
  ttl_minutes: number | null;
  rank?: number;
}
