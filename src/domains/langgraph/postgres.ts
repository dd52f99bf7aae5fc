/** Every statement of store.langgraph on PostgreSQL (sqlite.ts has the same names and takes the same parameters). */
import type { PgConnection } from '../../backends/postgres/connection.ts';
import type { Statement } from '../../engine/op.ts';
import type { LangGraphStatements } from './statements.ts';

const CHECKPOINT_COLUMNS = `thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, v, type, checkpoint, compressed,
  channel_versions, metadata_type, metadata`;
const ITEM_COLUMNS = 'namespace, key, value, value_compressed, created_at, updated_at, ttl_minutes';
const LIVE = '(expires_at IS NULL OR expires_at > $1::timestamptz)';
const UNDER = '(namespace = $2::text OR (namespace >= $3::text AND namespace < $4::text))';

/**
 * The SQLite statements' parameters, some of which a PostgreSQL statement does not use:
 * PostgreSQL wants every `$n` it is given to appear in the SQL, so each statement here
 * takes only its own, picked (1-based) from the shared order.
 */
function picked(statement: Statement, positions: readonly number[]): Statement {
  const pick = (params: unknown[]) => positions.map((p) => params[p - 1]);
  return {
    run: (...params) => statement.run(...pick(params)),
    get: (...params) => statement.get(...pick(params)),
    all: (...params) => statement.all(...pick(params)),
  };
}

/** PGlite's socket server runs every connection in one session, so a reader cannot hold a transaction of its own. */
const NOTHING: Statement = { run: () => ({ changes: 0 }), get: () => undefined, all: () => [] };

function listStatement(conn: PgConnection, scope: string, order: string, cursor: string, positions: readonly number[]): Statement {
  return picked(conn.statement(`SELECT ${CHECKPOINT_COLUMNS} FROM lg_checkpoints WHERE ${scope}
      AND ($3::text IS NULL OR checkpoint_id < $3::text) AND ($9::text IS NULL OR checkpoint_id = $9::text)
      AND ($4::jsonb IS NULL OR (metadata_type = 'json' AND convert_from(metadata, 'UTF8')::jsonb @> $4::jsonb))
      AND ${cursor} ORDER BY ${order} LIMIT $6::bigint`.replace(/\$(\d)/g, (_, n) => `$${positions.indexOf(Number(n)) + 1}`)), positions);
}

export function prepareLangGraph(conn: PgConnection): LangGraphStatements {
  const write = (table: string, conflict: string) => conn.statement(`INSERT INTO ${table} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel,
    type, blob, compressed, task_path) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ${conflict}`);
  return {
    beginRead: NOTHING,
    endRead: NOTHING,
    insertBlob: conn.statement(`INSERT INTO lg_blobs (thread_id, checkpoint_ns, channel, version, type, blob, compressed)
      VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`),
    upsertCheckpoint: conn.statement(`INSERT INTO lg_checkpoints (${CHECKPOINT_COLUMNS}, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::timestamptz)
      ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET v = excluded.v, type = excluded.type,
        checkpoint = excluded.checkpoint, compressed = excluded.compressed, channel_versions = excluded.channel_versions,
        metadata_type = excluded.metadata_type, metadata = excluded.metadata`, { bytea: [11] }),
    insertWrite: write('lg_writes', 'ON CONFLICT DO NOTHING'),
    replaceWrite: write('lg_writes', `ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO UPDATE SET
      channel = excluded.channel, type = excluded.type, blob = excluded.blob, compressed = excluded.compressed, task_path = excluded.task_path`),
    checkpoint: conn.statement(`SELECT ${CHECKPOINT_COLUMNS} FROM lg_checkpoints WHERE thread_id = $1 AND checkpoint_ns = $2 AND checkpoint_id = $3`),
    latest: conn.statement(`SELECT ${CHECKPOINT_COLUMNS} FROM lg_checkpoints WHERE thread_id = $1 AND checkpoint_ns = $2
      ORDER BY checkpoint_id DESC LIMIT 1`),
    blobs: conn.statement(`SELECT b.channel, b.type, b.blob, b.compressed FROM jsonb_each_text($1::jsonb) AS v
      JOIN lg_blobs AS b ON b.thread_id = $2 AND b.checkpoint_ns = $3 AND b.channel = v.key COLLATE "C" AND b.version = v.value COLLATE "C"`),
    writes: conn.statement(`SELECT task_id, channel, type, blob, compressed FROM lg_writes
      WHERE thread_id = $1 AND checkpoint_ns = $2 AND checkpoint_id = $3 ORDER BY task_path, task_id, idx`),
    sends: conn.statement(`SELECT type, blob, compressed FROM lg_writes
      WHERE thread_id = $1 AND checkpoint_ns = $2 AND checkpoint_id = $3 AND channel = $4 ORDER BY task_path, task_id, idx`),
    list: {
      // ?3 is the bound here (see sqlite.ts); chr(1114111) sorts after every id in "C" order.
      inNamespace: listStatement(conn, "thread_id = $1::text AND checkpoint_ns = $2::text AND checkpoint_id < coalesce($3::text, chr(1114111))",
        'checkpoint_id DESC', 'TRUE', [1, 2, 3, 4, 6, 9]),
      inThread: listStatement(conn, 'thread_id = $1::text', 'checkpoint_id DESC, checkpoint_ns DESC',
        '($5::text IS NULL OR (checkpoint_id, checkpoint_ns) < ($5::text, $7::text))', [1, 3, 4, 5, 6, 7, 9]),
      everywhere: listStatement(conn, '($2::text IS NULL OR checkpoint_ns = $2::text)', 'checkpoint_id DESC, thread_id DESC, checkpoint_ns DESC',
        '($5::text IS NULL OR (checkpoint_id, thread_id, checkpoint_ns) < ($5::text, $8::text, $7::text))', [2, 3, 4, 5, 6, 7, 8, 9]),
    },
    deleteThread: {
      checkpoints: conn.statement('DELETE FROM lg_checkpoints WHERE thread_id = $1'),
      blobs: conn.statement('DELETE FROM lg_blobs WHERE thread_id = $1'),
      writes: conn.statement('DELETE FROM lg_writes WHERE thread_id = $1'),
    },
    prune: {
      checkpoints: conn.statement(`DELETE FROM lg_checkpoints WHERE thread_id = $1 AND (checkpoint_ns, checkpoint_id) NOT IN (
        SELECT checkpoint_ns, checkpoint_id FROM (SELECT checkpoint_ns, checkpoint_id,
          row_number() OVER (PARTITION BY checkpoint_ns ORDER BY checkpoint_id DESC) AS n FROM lg_checkpoints WHERE thread_id = $1) AS k
        WHERE n <= $2::bigint)`),
      writes: conn.statement(`DELETE FROM lg_writes AS w WHERE thread_id = $1 AND NOT EXISTS (SELECT 1 FROM lg_checkpoints AS c
        WHERE c.thread_id = $1 AND c.checkpoint_ns = w.checkpoint_ns AND c.checkpoint_id = w.checkpoint_id)`),
      blobs: conn.statement(`DELETE FROM lg_blobs AS b WHERE thread_id = $1 AND NOT EXISTS (
        SELECT 1 FROM lg_checkpoints AS c, jsonb_each_text(c.channel_versions::jsonb) AS v WHERE c.thread_id = $1
          AND c.checkpoint_ns = b.checkpoint_ns AND v.key COLLATE "C" = b.channel AND v.value COLLATE "C" = b.version)`),
    },
    idleThreads: conn.statement('SELECT thread_id FROM lg_checkpoints GROUP BY thread_id HAVING max(created_at) < $1::timestamptz'),
    items: {
      get: conn.statement(`SELECT ${ITEM_COLUMNS} FROM lg_items WHERE ${LIVE} AND namespace = $2 AND key = $3`),
      search: {
        under: picked(conn.statement(`SELECT ${ITEM_COLUMNS} FROM lg_items WHERE ${LIVE} AND ${UNDER}
          ORDER BY updated_at DESC, namespace, key LIMIT $5::bigint OFFSET $6::bigint`), [1, 2, 3, 4, 6, 7]),
        all: picked(conn.statement(`SELECT ${ITEM_COLUMNS} FROM lg_items WHERE ${LIVE}
          ORDER BY updated_at DESC, namespace, key LIMIT $2::bigint OFFSET $3::bigint`), [1, 6, 7]),
      },
      // ts_rank is higher for a better match; negated, it sorts (and scores) as SQLite's bm25 does.
      match: {
        under: conn.statement(`SELECT ${ITEM_COLUMNS}, -ts_rank(search_vector, q) AS rank FROM lg_items, plainto_tsquery('simple', $5::text) AS q
          WHERE search_vector @@ q AND ${LIVE} AND ${UNDER} ORDER BY rank, namespace, key LIMIT $6::bigint OFFSET $7::bigint`),
        all: picked(conn.statement(`SELECT ${ITEM_COLUMNS}, -ts_rank(search_vector, q) AS rank FROM lg_items, plainto_tsquery('simple', $2::text) AS q
          WHERE search_vector @@ q AND ${LIVE} ORDER BY rank, namespace, key LIMIT $3::bigint OFFSET $4::bigint`), [1, 5, 6, 7]),
      },
      namespaces: {
        under: conn.statement(`SELECT DISTINCT namespace FROM lg_items WHERE ${LIVE} AND ${UNDER} ORDER BY namespace`),
        all: conn.statement(`SELECT DISTINCT namespace FROM lg_items WHERE ${LIVE} ORDER BY namespace`),
      },
      upsert: conn.statement(`INSERT INTO lg_items (namespace, key, value, value_compressed, search_text, created_at, updated_at, ttl_minutes, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $6::timestamptz, $7, $8::timestamptz)
        ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, value_compressed = excluded.value_compressed,
          search_text = excluded.search_text, updated_at = excluded.updated_at, ttl_minutes = excluded.ttl_minutes,
          expires_at = excluded.expires_at,
          created_at = CASE WHEN lg_items.expires_at IS NOT NULL AND lg_items.expires_at <= excluded.updated_at
            THEN excluded.created_at ELSE lg_items.created_at END`, { bytea: [3] }),
      delete: conn.statement('DELETE FROM lg_items WHERE namespace = $1 AND key = $2'),
      refresh: conn.statement(`UPDATE lg_items SET expires_at = to_timestamp($2::double precision + ttl_minutes * 60)
        WHERE namespace = $3 AND key = $4 AND ttl_minutes IS NOT NULL AND expires_at > $1::timestamptz`),
      sweep: conn.statement('DELETE FROM lg_items WHERE expires_at <= $1::timestamptz'),
    },
  };
}
