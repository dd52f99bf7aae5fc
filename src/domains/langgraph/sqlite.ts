/** Every statement of store.langgraph on SQLite (postgres.ts has the same names): the saver's checkpoints, blobs and writes, and the memory items. */
import type { DatabaseSync } from 'node:sqlite';
import type { LangGraphStatements } from './statements.ts';

const CHECKPOINT_COLUMNS = `thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, v, type, checkpoint, compressed,
  channel_versions, metadata_type, metadata`;

/**
 * A metadata filter (`?` = JSON object) holds when each of its keys is in the metadata with
 * an equal JSON value: same type, same atom, or for objects and arrays the same JSON text.
 */
const METADATA_MATCHES = `(metadata_type = 'json' AND NOT EXISTS (
    SELECT 1 FROM json_each(?4) AS f WHERE NOT EXISTS (
      SELECT 1 FROM json_each(lg_checkpoints.metadata) AS m
      WHERE m.key = f.key AND m.type = f.type AND (f.atom IS NULL AND m.value IS f.value OR m.atom = f.atom))))`;
const FILTER = `(?4 IS NULL OR ${METADATA_MATCHES})`;
const BEFORE = '(?3 IS NULL OR checkpoint_id < ?3) AND (?9 IS NULL OR checkpoint_id = ?9)';

const ITEM_COLUMNS = 'namespace, key, value, value_compressed, created_at, updated_at, ttl_minutes';
const LIVE = '(expires_at IS NULL OR expires_at > ?1)';
/** `?2` is the namespace itself, [`?3`, `?4`) the range of its descendants ('a.b.' to 'a.b/'). */
const UNDER = '(namespace = ?2 OR (namespace >= ?3 AND namespace < ?4))';

function prepareCheckpoints(db: DatabaseSync) {
  return {
    insertBlob: db.prepare(`INSERT INTO lg_blobs (thread_id, checkpoint_ns, channel, version, type, blob, compressed)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    upsertCheckpoint: db.prepare(`INSERT INTO lg_checkpoints (${CHECKPOINT_COLUMNS}, created_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
      ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET v = excluded.v, type = excluded.type,
        checkpoint = excluded.checkpoint, compressed = excluded.compressed, channel_versions = excluded.channel_versions,
        metadata_type = excluded.metadata_type, metadata = excluded.metadata`),
    // Regular writes keep the first value stored for their (task, index); special ones replace it.
    insertWrite: db.prepare(`INSERT INTO lg_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, compressed, task_path)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    replaceWrite: db.prepare(`INSERT INTO lg_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, compressed, task_path)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO UPDATE SET channel = excluded.channel,
        type = excluded.type, blob = excluded.blob, compressed = excluded.compressed, task_path = excluded.task_path`),
    checkpoint: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM lg_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?`),
    latest: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM lg_checkpoints WHERE thread_id = ? AND checkpoint_ns = ?
      ORDER BY checkpoint_id DESC LIMIT 1`),
    // The checkpoint rebuilt from its channel_versions: one primary-key lookup per channel.
    // CROSS JOIN keeps json_each outside: otherwise SQLite scans the thread's blobs for each channel.
    blobs: db.prepare(`SELECT b.channel, b.type, b.blob, b.compressed FROM json_each(?1) AS v
      CROSS JOIN lg_blobs AS b ON b.thread_id = ?2 AND b.checkpoint_ns = ?3 AND b.channel = v.key AND b.version = v.value`),
    // writesSortKey order: task path, task id, index. BINARY collation compares UTF-8 bytes, which is code point order.
    writes: db.prepare(`SELECT task_id, channel, type, blob, compressed FROM lg_writes
      WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ? ORDER BY task_path, task_id, idx`),
    sends: db.prepare(`SELECT type, blob, compressed FROM lg_writes
      WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ? AND channel = ? ORDER BY task_path, task_id, idx`),
    // list(): newest first, a page at a time. All three take the same parameters: ?1 thread, ?2 namespace,
    // ?3 before, ?4 filter, ?5 ?7 ?8 the last checkpoint of the page before (id, namespace, thread), ?6 the page size,
    // ?9 one checkpoint id (a config that names one).
    list: {
      // Thread and namespace given: the primary key walks backwards from ?3, here the nearer of `before` and the
      // page before's last id. Without one, x'00' bounds nothing (any BLOB sorts after any TEXT), and the range
      // still reaches the index, which `?3 IS NULL OR …` would not.
      inNamespace: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM lg_checkpoints
        WHERE thread_id = ?1 AND checkpoint_ns = ?2 AND checkpoint_id < coalesce(?3, x'00') AND (?9 IS NULL OR checkpoint_id = ?9)
          AND ${FILTER} ORDER BY checkpoint_id DESC LIMIT ?6`),
      inThread: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM lg_checkpoints
        WHERE thread_id = ?1 AND ${BEFORE} AND ${FILTER} AND (?5 IS NULL OR (checkpoint_id, checkpoint_ns) < (?5, ?7))
        ORDER BY checkpoint_id DESC, checkpoint_ns DESC LIMIT ?6`),
      everywhere: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM lg_checkpoints
        WHERE (?2 IS NULL OR checkpoint_ns = ?2) AND ${BEFORE} AND ${FILTER}
          AND (?5 IS NULL OR (checkpoint_id, thread_id, checkpoint_ns) < (?5, ?8, ?7))
        ORDER BY checkpoint_id DESC, thread_id DESC, checkpoint_ns DESC LIMIT ?6`),
    },
    deleteThread: {
      checkpoints: db.prepare('DELETE FROM lg_checkpoints WHERE thread_id = ?'),
      blobs: db.prepare('DELETE FROM lg_blobs WHERE thread_id = ?'),
      writes: db.prepare('DELETE FROM lg_writes WHERE thread_id = ?'),
    },
    prune: {
      // The newest ?2 of each namespace stay.
      checkpoints: db.prepare(`DELETE FROM lg_checkpoints WHERE thread_id = ?1 AND rowid NOT IN (
        SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY checkpoint_ns ORDER BY checkpoint_id DESC) AS n
          FROM lg_checkpoints WHERE thread_id = ?1) WHERE n <= ?2)`),
      writes: db.prepare(`DELETE FROM lg_writes WHERE thread_id = ?1 AND NOT EXISTS (SELECT 1 FROM lg_checkpoints AS c
        WHERE c.thread_id = ?1 AND c.checkpoint_ns = lg_writes.checkpoint_ns AND c.checkpoint_id = lg_writes.checkpoint_id)`),
      // A blob stays while any checkpoint left still names its version.
      blobs: db.prepare(`DELETE FROM lg_blobs WHERE thread_id = ?1 AND (checkpoint_ns, channel, version) NOT IN (
        SELECT c.checkpoint_ns, v.key, v.value FROM lg_checkpoints AS c, json_each(c.channel_versions) AS v WHERE c.thread_id = ?1)`),
    },
    idleThreads: db.prepare('SELECT thread_id FROM lg_checkpoints GROUP BY thread_id HAVING max(created_at) < ?'),
  };
}

function prepareItems(db: DatabaseSync) {
  return {
    get: db.prepare(`SELECT ${ITEM_COLUMNS} FROM lg_items WHERE ${LIVE} AND namespace = ?2 AND key = ?3`),
    // Newest change first, a page of rows at a time: the worker filters them (LangGraph's filter semantics are
    // JavaScript's) and asks for more until its page is full. Every search takes ?1 now, ?2 ?3 ?4 the prefix and
    // its range, ?5 the FTS query, ?6 ?7 limit and offset.
    search: {
      under: db.prepare(`SELECT ${ITEM_COLUMNS} FROM lg_items WHERE ${LIVE} AND ${UNDER} ORDER BY updated_at DESC, namespace, key LIMIT ?6 OFFSET ?7`),
      all: db.prepare(`SELECT ${ITEM_COLUMNS} FROM lg_items WHERE ${LIVE} ORDER BY updated_at DESC, namespace, key LIMIT ?6 OFFSET ?7`),
    },
    // Best match first (bm25 is lower for better matches).
    match: {
      under: db.prepare(`SELECT ${ITEM_COLUMNS}, bm25(lg_items_fts) AS rank FROM lg_items_fts JOIN lg_items ON lg_items.rowid = lg_items_fts.rowid
        WHERE lg_items_fts MATCH ?5 AND ${LIVE} AND ${UNDER} ORDER BY rank, namespace, key LIMIT ?6 OFFSET ?7`),
      all: db.prepare(`SELECT ${ITEM_COLUMNS}, bm25(lg_items_fts) AS rank FROM lg_items_fts JOIN lg_items ON lg_items.rowid = lg_items_fts.rowid
        WHERE lg_items_fts MATCH ?5 AND ${LIVE} ORDER BY rank, namespace, key LIMIT ?6 OFFSET ?7`),
    },
    namespaces: {
      under: db.prepare(`SELECT DISTINCT namespace FROM lg_items WHERE ${LIVE} AND ${UNDER} ORDER BY namespace`),
      all: db.prepare(`SELECT DISTINCT namespace FROM lg_items WHERE ${LIVE} ORDER BY namespace`),
    },
    // An item that had expired comes back as new: its creation time is the put's.
    upsert: db.prepare(`INSERT INTO lg_items (namespace, key, value, value_compressed, search_text, created_at, updated_at, ttl_minutes, expires_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)
      ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, value_compressed = excluded.value_compressed,
        search_text = excluded.search_text, updated_at = excluded.updated_at, ttl_minutes = excluded.ttl_minutes,
        expires_at = excluded.expires_at,
        created_at = CASE WHEN lg_items.expires_at IS NOT NULL AND lg_items.expires_at <= excluded.updated_at
          THEN excluded.created_at ELSE lg_items.created_at END`),
    delete: db.prepare('DELETE FROM lg_items WHERE namespace = ? AND key = ?'),
    // ?1 now, ?2 its epoch seconds: the item lives ttl_minutes from now on.
    refresh: db.prepare(`UPDATE lg_items SET expires_at = strftime('%Y-%m-%d %H:%M:%f', ?2 + ttl_minutes * 60, 'unixepoch')
      WHERE namespace = ?3 AND key = ?4 AND ttl_minutes IS NOT NULL AND expires_at > ?1`),
    sweep: db.prepare('DELETE FROM lg_items WHERE expires_at <= ?'),
  };
}

export function prepareLangGraph(db: DatabaseSync): LangGraphStatements {
  return {
    // A read of several statements sees one snapshot (on a reader; the writer is inside its transaction already).
    beginRead: db.prepare('BEGIN'),
    endRead: db.prepare('COMMIT'),
    ...prepareCheckpoints(db),
    items: prepareItems(db),
  };
}

