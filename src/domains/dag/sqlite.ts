/** Every statement of store.dag on SQLite (postgres.ts has the same names). */
import type { DatabaseSync } from 'node:sqlite';
import type { DagStatements } from './statements.ts';

/** The one writer runs every replacement on its own: nothing to hold. */
function noLock(): undefined {
  return undefined;
}

export function prepareDag(db: DatabaseSync): DagStatements {
  // Positional parameters: node:sqlite binds them several times faster than named ones.
  const insert = db.prepare('INSERT INTO artifacts (dag_id, node_id, key, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)');
  return {
    artifacts: {
      lock: noLock,
      deleteDag: db.prepare('DELETE FROM artifacts WHERE dag_id = ?'),
      insertAll: (dagId, entries, encode, now) => {
        for (const [nodeId, key, value] of entries) insert.run(dagId, nodeId, key, encode(value), now);
      },
      // An upsert, not the document's INSERT OR REPLACE: created_at survives, only value and updated_at move.
      upsert: db.prepare(`INSERT INTO artifacts (dag_id, node_id, key, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
        ON CONFLICT (dag_id, node_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
      // One statement: a reader sees one committed cache, never half of a replacement.
      load: db.prepare('SELECT node_id, key, value FROM artifacts WHERE dag_id = ? ORDER BY node_id, key'),
    },
    trees: {
      upsert: db.prepare(`INSERT INTO execution_trees (dag_id, tree_data, compressed, size, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
        ON CONFLICT (dag_id) DO UPDATE SET tree_data = excluded.tree_data, compressed = excluded.compressed,
          size = excluded.size, updated_at = excluded.updated_at`),
      load: db.prepare('SELECT tree_data AS data, compressed FROM execution_trees WHERE dag_id = ?'),
    },
    snapshots: {
      insert: db.prepare('INSERT INTO snapshots (dag_id, snapshot_data, compressed, size, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id'),
      latest: db.prepare('SELECT snapshot_data AS data, compressed FROM snapshots WHERE dag_id = ? ORDER BY id DESC LIMIT 1'),
      byId: db.prepare('SELECT snapshot_data AS data, compressed FROM snapshots WHERE dag_id = ? AND id = ?'),
      list: db.prepare(`SELECT id, size, length(snapshot_data) AS stored_size, compressed, created_at
        FROM snapshots WHERE dag_id = ? ORDER BY id`),
      prune: db.prepare(`DELETE FROM snapshots WHERE dag_id = ?1
        AND id NOT IN (SELECT id FROM snapshots WHERE dag_id = ?1 ORDER BY id DESC LIMIT ?2)`),
    },
    states: {
      upsert: db.prepare(`INSERT INTO execution_state (dag_id, state_type, state_data, compressed, size, created_at, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
        ON CONFLICT (dag_id, state_type) DO UPDATE SET state_data = excluded.state_data, compressed = excluded.compressed,
          size = excluded.size, updated_at = excluded.updated_at`),
      load: db.prepare('SELECT state_data AS data, compressed FROM execution_state WHERE dag_id = ? AND state_type = ?'),
    },
    // One statement over the four tables, so that the dump is one consistent snapshot
    // on a reader and inside a transaction alike (no BEGIN needed, none allowed on the writer).
    dump: db.prepare(`
      SELECT dag_id, 'artifacts' AS kind, NULL AS state_type, COUNT(*) AS n, NULL AS stored, NULL AS size
        FROM artifacts GROUP BY dag_id
      UNION ALL
      SELECT dag_id, 'tree', NULL, 1, length(tree_data), size FROM execution_trees
      UNION ALL
      SELECT dag_id, 'snapshots', NULL, COUNT(*), SUM(length(snapshot_data)), SUM(size) FROM snapshots GROUP BY dag_id
      UNION ALL
      SELECT dag_id, 'state', state_type, 1, length(state_data), size FROM execution_state
      ORDER BY dag_id, kind, state_type`),
  };
}
