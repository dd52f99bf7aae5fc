/**
 * The admin domain on PostgreSQL (sqlite.ts has the same names). What each operation
 * means here: `query` runs in a READ ONLY transaction, so the server refuses writes;
 * the integrity check is a catalog check (every index valid, every constraint
 * validated, every table readable) plus amcheck's when the database has the extension;
 * vacuum is VACUUM (ANALYZE) of the store's tables; sizes are pg_total_relation_size.
 */
import type { PgConnection } from '../../backends/postgres/connection.ts';
import { isPgServerError } from '../../backends/postgres/errors.ts';
import { FlowstoreError, invalidArgument } from '../../errors.ts';
import { PgTables, rowsOf } from './postgres-tables.ts';
import type { AdminStatements, SqlValue } from './statements.ts';
import { quote } from './tables.ts';

const TABLES_SQL = `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname`;
const BROKEN_INDEXES_SQL = `SELECT i.relname AS index, c.relname AS table
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND NOT (x.indisvalid AND x.indisready AND x.indislive) ORDER BY 1`;
const UNVALIDATED_SQL = `SELECT k.conname AS constraint, c.relname AS table
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = k.connamespace
  WHERE n.nspname = current_schema() AND NOT k.convalidated ORDER BY 1`;
const AMCHECK_SQL = `SELECT n.nspname AS schema, EXISTS (SELECT FROM pg_proc p WHERE p.pronamespace = n.oid AND p.proname = 'verify_heapam') AS heap
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'`;
const BTREE_INDEXES_SQL = `SELECT i.relname AS index, i.oid::regclass::text AS ref
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = i.relam
  WHERE n.nspname = current_schema() AND am.amname = 'btree' AND x.indisvalid ORDER BY 1`;

function badSql(message: string, details: Record<string, unknown>, cause: unknown): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `sql: ${message}`, { details: { field: 'sql', ...details }, cause });
}

/** A user statement's failure in the caller's terms: what the statement or its values got wrong. */
function queryError(error: unknown): unknown {
  if (!isPgServerError(error)) return error;
  const details = { sqlstate: error.code };
  // 25006: the READ ONLY transaction refused a write.
  if (error.code === '25006') return badSql('store.query runs read-only statements only', details, error);
  // 42: syntax errors, unknown tables, columns and functions, a second statement after ';'.
  if (error.code.startsWith('42')) return badSql(error.message, details, error);
  // 08P01 here is the server counting parameters: the statement has a different number of $n.
  if (error.code === '08P01') return new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `params: ${error.message}`, { details: { field: 'params', ...details }, cause: error });
  return error;
}

function bindable(value: SqlValue): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}

/**
 * Statements that only read, as PostgreSQL names them. Anything else is refused before it
 * is sent: the READ ONLY transaction refuses writes, but PREPARE, DEALLOCATE or COPY would
 * outlive it or confuse the connection that the store's own statements are prepared on.
 */
const READING = /^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/|\()*(SELECT|WITH|VALUES|TABLE|SHOW|EXPLAIN)\b/i;

async function query(conn: PgConnection, text: string, params: readonly SqlValue[] | Readonly<Record<string, SqlValue>>, writable: boolean): Promise<Record<string, unknown>[]> {
  if (!Array.isArray(params)) throw invalidArgument('params', 'PostgreSQL has positional parameters only ($1, $2…): give the values as an array');
  if (!READING.test(text)) throw badSql('store.query on PostgreSQL runs SELECT, WITH, VALUES, TABLE, SHOW or EXPLAIN', {}, undefined);
  const values = params.map(bindable);
  if (writable) {
    // Inside store.transaction, on the writer's pipelined connection: a savepoint made read
    // only, then undone, which also puts transaction_read_only back. Sent in one go.
    const [savepoint, readOnly, result, ...undo] = [
      rowsOf(conn, 'SAVEPOINT flowstore_query'), rowsOf(conn, 'SET LOCAL transaction_read_only = on'), rowsOf(conn, text, values),
      rowsOf(conn, 'ROLLBACK TO SAVEPOINT flowstore_query'), rowsOf(conn, 'RELEASE SAVEPOINT flowstore_query'),
    ];
    const settled = await Promise.allSettled([savepoint, readOnly, result, ...undo]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed === undefined) return (await result!).map((row) => ({ ...row }));
    throw failed === settled[2] ? queryError(failed.reason) : failed.reason;
  }
  // Never COMMIT: rolling back also undoes a SET the statement made, so the connection stays as the store set it.
  return conn.inReadTransaction('BEGIN READ ONLY', async () => {
    try {
      return (await rowsOf(conn, text, values)).map((row) => ({ ...row }));
    } catch (error) {
      throw queryError(error);
    }
  });
}

async function integrity(conn: PgConnection): Promise<string[]> {
  const messages: string[] = [];
  for (const row of await rowsOf<{ index: string; table: string }>(conn, BROKEN_INDEXES_SQL)) {
    messages.push(`index ${row.index} on ${row.table} is not valid (left by a failed CREATE INDEX CONCURRENTLY or REINDEX): REINDEX INDEX ${row.index}`);
  }
  for (const row of await rowsOf<{ constraint: string; table: string }>(conn, UNVALIDATED_SQL)) {
    messages.push(`constraint ${row.constraint} on ${row.table} is not validated: ALTER TABLE ${row.table} VALIDATE CONSTRAINT ${row.constraint}`);
  }
  const tables = await rowsOf<{ name: string }>(conn, TABLES_SQL);
  // Reading every page of every table: a damaged page fails its checksum or header check here.
  for (const { name } of tables) {
    await rowsOf(conn, `SELECT COUNT(*) FROM ${quote(name)}`).catch((error: unknown) => messages.push(`table ${name}: ${(error as Error).message}`));
  }
  const [amcheck] = await rowsOf<{ schema: string; heap: boolean }>(conn, AMCHECK_SQL);
  if (amcheck) {
    const functions = quote(amcheck.schema);
    for (const { index, ref } of await rowsOf<{ index: string; ref: string }>(conn, BTREE_INDEXES_SQL)) {
      // heapallindexed: every row of the table must be found in the index, as integrity_check asks of SQLite's.
      await rowsOf(conn, `SELECT ${functions}.bt_index_check($1::regclass, true)`, [ref]).catch((error: unknown) => messages.push(`index ${index}: ${(error as Error).message}`));
    }
    if (amcheck.heap) {
      for (const { name } of tables) {
        const rows = await rowsOf<{ blkno: number; offnum: number; msg: string }>(conn, `SELECT blkno, offnum, msg FROM ${functions}.verify_heapam($1::regclass)`, [quote(name)]);
        for (const row of rows) messages.push(`table ${name}, page ${row.blkno}, item ${row.offnum}: ${row.msg}`);
      }
    }
  }
  return messages.length > 0 ? messages : ['ok'];
}

export function preparePostgres(conn: PgConnection): AdminStatements {
  return {
    query: (text, params, writable) => query(conn, text, params, writable),
    integrity: () => integrity(conn),
    // REPEATABLE READ: every page of an export reads the one snapshot its first statement took.
    snapshot: (work) => conn.inReadTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work),
    async vacuum() {
      const tables = await rowsOf<{ name: string }>(conn, TABLES_SQL);
      // Alone on the writer, outside any transaction (the writer's standalone path): VACUUM refuses one.
      await conn.exec(`VACUUM (ANALYZE) ${tables.map((t) => quote(t.name)).join(', ')}`);
    },
    async storage() {
      const tables = await rowsOf<{ name: string; bytes: number }>(conn, TABLES_SQL);
      const [{ size }] = (await rowsOf<{ size: number }>(conn, "SELECT current_setting('block_size')::integer AS size")) as [{ size: number }];
      const bytes = tables.reduce((sum, t) => sum + t.bytes, 0);
      return { pageSize: size, pageCount: Math.ceil(bytes / size), freePages: 0, bytes, tableBytes: new Map(tables.map((t) => [t.name, t.bytes])) };
    },
    // Deferrable foreign keys wait for COMMIT; the import takes parents before children for the others.
    deferForeignKeys: () => conn.exec('SET CONSTRAINTS ALL DEFERRED'),
    migrations: conn.statement('SELECT version, name, description, checksum, applied_at FROM flowstore_migrations ORDER BY version'),
    tables: new PgTables(conn),
    file: undefined,
  };
}
