/**
 * How SQLite declares each column, read from flowstore's own SQLite migrations applied to
 * a private in-memory database: the export's cells are SQLite's, so a PostgreSQL `bytea`
 * column that SQLite declares TEXT (a JSON value, text when plain, a blob when deflated)
 * is exported as SQLite would export it. Read once per thread, on the first export.
 */
import type * as Sqlite from 'node:sqlite';
import { loadMigrations, migrationsDir, migrationText } from '../../engine/migrate.ts';
import { quote } from './tables.ts';

let shape: ReadonlyMap<string, ReadonlySet<string>> | undefined;

/** Per table, the columns with TEXT affinity on SQLite (a declared type holding CHAR, CLOB or TEXT). */
export function sqliteTextColumns(): ReadonlyMap<string, ReadonlySet<string>> {
  if (shape) return shape;
  // Got when first needed, in a worker: the main thread loads this file and must not need
  // node:sqlite before openStore has checked the runtime.
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as typeof Sqlite;
  const db = new DatabaseSync(':memory:');
  try {
    for (const migration of loadMigrations(migrationsDir('sqlite'))) db.exec(migrationText(migration).sql);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[];
    const text = new Map<string, Set<string>>();
    for (const { name } of tables) {
      const columns = db.prepare(`PRAGMA table_info(${quote(name)})`).all() as { name: string; type: string }[];
      text.set(name, new Set(columns.filter((c) => /CHAR|CLOB|TEXT/i.test(c.type)).map((c) => c.name)));
    }
    shape = text;
    return shape;
  } finally {
    db.close();
  }
}
