/** The admin domain on SQLite (postgres.ts has the same names). Generic table statements live in sqlite-tables.ts. */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { FlowstoreError } from '../../errors.ts';
import { isSqliteError } from '../../backends/sqlite/errors.ts';
import { SqliteTables } from './sqlite-tables.ts';
import type { AdminStatements, SqlValue } from './statements.ts';

/** Distinct user statements kept prepared per connection. */
const QUERY_CACHE_SIZE = 64;
const SQLITE_READONLY = 8;
const SQLITE_RANGE = 25;
/** What may follow a statement's `;`: blanks and comments, nothing that would run. */
const NOTHING_MORE = /^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*$/;

function badSql(message: string, cause?: unknown): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `sql: ${message}`, { details: { field: 'sql' }, cause });
}

/** A user statement, prepared once and kept among the last {@link QUERY_CACHE_SIZE} used. */
function statementFor(db: DatabaseSync, cache: Map<string, StatementSync>, text: string): StatementSync {
  let statement = cache.get(text);
  if (statement) {
    cache.delete(text);
  } else {
    try {
      statement = db.prepare(text);
    } catch (cause) {
      throw badSql((cause as Error).message, cause);
    }
    // SQLite prepares the first statement and ignores the rest; PostgreSQL refuses the rest: refuse it here too.
    const at = text.indexOf(statement.sourceSQL);
    if (at !== -1 && !NOTHING_MORE.test(text.slice(at + statement.sourceSQL.length))) throw badSql('store.query runs one statement; another follows its ";"');
    if (cache.size >= QUERY_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(text, statement);
  return statement;
}

export function prepareAdmin(db: DatabaseSync): AdminStatements {
  const queryCache = new Map<string, StatementSync>();
  const integrity = db.prepare('PRAGMA integrity_check');
  // Any read takes the snapshot that a BEGIN (deferred) only announces.
  const snapshot = db.prepare('SELECT COUNT(*) FROM sqlite_master');
  const vacuum = db.prepare('VACUUM');
  const vacuumInto = db.prepare('VACUUM INTO ?');
  const pageCount = db.prepare('PRAGMA page_count');
  const pageSize = db.prepare('PRAGMA page_size');
  const freelist = db.prepare('PRAGMA freelist_count');
  const deferForeignKeys = db.prepare('PRAGMA defer_foreign_keys = ON');
  return {
    query(text: string, params: readonly SqlValue[] | Readonly<Record<string, SqlValue>>, writable: boolean): Record<string, unknown>[] {
      const statement = statementFor(db, queryCache, text);
      // On the writer (inside a transaction, or an in-memory store) query_only makes any write fail like on a reader.
      // A flag pragma acts when it is compiled, not when it is run: it cannot be a prepared statement.
      if (writable) db.exec('PRAGMA query_only = ON');
      try {
        const rows = Array.isArray(params) ? statement.all(...(params as SQLInputValue[])) : statement.all(params as Record<string, SQLInputValue>);
        return rows.map((row) => ({ ...row }));
      } catch (cause) {
        if (isSqliteError(cause) && (cause.errcode & 0xff) === SQLITE_READONLY) throw badSql('store.query runs read-only statements only', cause);
        // More values than the statement has parameters, or a name it does not have.
        if ((isSqliteError(cause) && cause.errcode === SQLITE_RANGE) || (cause as { code?: string }).code === 'ERR_INVALID_STATE') {
          throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `params: ${(cause as Error).message}`, { details: { field: 'params' }, cause });
        }
        throw cause;
      } finally {
        if (writable) db.exec('PRAGMA query_only = OFF');
      }
    },
    integrity: () => (integrity.all() as { integrity_check: string }[]).map((row) => row.integrity_check),
    async snapshot<T>(work: () => Promise<T>): Promise<T> {
      db.exec('BEGIN');
      try {
        snapshot.get();
        return await work();
      } finally {
        if (db.isTransaction) db.exec('COMMIT');
      }
    },
    vacuum: () => { vacuum.run(); },
    storage() {
      const size = (pageSize.get() as { page_size: number }).page_size;
      const count = (pageCount.get() as { page_count: number }).page_count;
      return { pageSize: size, pageCount: count, freePages: (freelist.get() as { freelist_count: number }).freelist_count, bytes: size * count };
    },
    deferForeignKeys: () => deferForeignKeys.run(),
    migrations: db.prepare('SELECT version, name, description, checksum, applied_at FROM flowstore_migrations ORDER BY version'),
    tables: new SqliteTables(db),
    file: {
      // Imported when used, in the reader: the main thread loads this file and must not need
      // node:sqlite before openStore has checked the runtime.
      backup: async (dest, rate, progress) => (await import('node:sqlite')).backup(db, dest, { rate, progress: ({ totalPages, remainingPages }) => progress(totalPages, remainingPages) }),
      vacuumInto: (dest) => { vacuumInto.run(dest); },
    },
  };
}
