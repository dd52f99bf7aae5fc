/**
 * The SQLite catalog (PRAGMA table_list, table_info, foreign_key_list) and the paging and
 * insert statements over it, prepared the first time each table needs them.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { invalidArgument } from '../../errors.ts';
import type { TableAccess, TablePage } from './statements.ts';
import { NOT_EXPORTED, parentsFirst, quote, ROWID, type TableCatalog, type TableInfo } from './tables.ts';
import { decodeCell, encodeCell } from './values.ts';

interface TableListRow { schema: string; name: string; type: string; wr: number }
interface ColumnRow { name: string; pk: number }

export function readCatalog(db: DatabaseSync): TableCatalog {
  const listed = (db.prepare('PRAGMA table_list').all() as unknown as TableListRow[])
    .filter((row) => row.schema === 'main' && (row.type === 'table' || row.type === 'virtual'))
    .filter((row) => !NOT_EXPORTED.has(row.name) && (!row.name.startsWith('sqlite_') || row.name === 'sqlite_sequence'));
  const sqlOf = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
  const plain: TableInfo[] = [];
  const virtual: TableInfo[] = [];
  const rebuild: string[] = [];
  let sequence: TableInfo | undefined;
  const parents = new Map<string, string[]>();
  for (const row of listed) {
    const columns = (db.prepare(`PRAGMA table_info(${quote(row.name)})`).all() as unknown as ColumnRow[]);
    const names = columns.map((c) => c.name);
    if (row.type === 'virtual') {
      const sql = String((sqlOf.get(row.name) as { sql: string } | undefined)?.sql ?? '');
      // External-content and contentless FTS hold no data of their own: rebuild (or skip) them.
      if (/\bcontent\s*=/i.test(sql)) {
        if (!/\bcontent\s*=\s*(''|"")/i.test(sql)) rebuild.push(row.name);
        continue;
      }
      virtual.push({ name: row.name, columns: [ROWID, ...names], key: [ROWID], derived: true });
      continue;
    }
    const key = row.wr ? columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name) : [ROWID];
    const info: TableInfo = { name: row.name, columns: row.wr ? names : [ROWID, ...names], key, derived: row.name === 'sqlite_sequence' };
    if (info.derived) sequence = info;
    else plain.push(info);
    parents.set(row.name, (db.prepare(`PRAGMA foreign_key_list(${quote(row.name)})`).all() as { table: string }[]).map((fk) => fk.table));
  }
  return { tables: [...parentsFirst(plain, parents), ...virtual, ...(sequence ? [sequence] : [])], rebuild };
}

/** Table statements on one SQLite connection. */
export class SqliteTables implements TableAccess {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, StatementSync>();
  #catalog: TableCatalog | undefined;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  catalog(): TableCatalog {
    this.#catalog ??= readCatalog(this.#db);
    return this.#catalog;
  }

  #prepared(key: string, sql: () => string): StatementSync {
    let statement = this.#cache.get(key);
    if (!statement) {
      statement = this.#db.prepare(sql());
      this.#cache.set(key, statement);
    }
    return statement;
  }

  page(info: TableInfo, cursor: readonly unknown[] | undefined, limit: number): TablePage {
    const first = cursor === undefined;
    const statement = this.#prepared(`page\0${first}\0${info.name}`, () => {
      const keys = info.key.map(quote).join(', ');
      const where = first ? '' : ` WHERE (${keys}) > (${info.key.map(() => '?').join(', ')})`;
      return `SELECT ${info.columns.map(quote).join(', ')} FROM ${quote(info.name)}${where} ORDER BY ${keys} LIMIT ?`;
    });
    // Integers past 2^53 would throw otherwise; values.ts turns safe ones back into numbers.
    statement.setReadBigInts(true);
    statement.setReturnArrays(true);
    const raw = (first ? statement.all(limit) : statement.all(...(cursor as SQLInputValue[]), limit)) as unknown as unknown[][];
    const last = raw.length < limit ? undefined : raw[raw.length - 1]!;
    return {
      rows: raw.map((values) => values.map(encodeCell)),
      cursor: last && info.key.map((k) => last[info.columns.indexOf(k)]),
    };
  }

  count(info: TableInfo): number {
    return (this.#prepared(`count\0${info.name}`, () => `SELECT COUNT(*) AS n FROM ${quote(info.name)}`).get() as { n: number }).n;
  }

  clear(info: TableInfo): unknown {
    return this.#prepared(`clear\0${info.name}`, () => `DELETE FROM ${quote(info.name)}`).run();
  }

  insert(info: TableInfo, columns: readonly string[], rows: readonly (readonly unknown[])[]): number {
    for (const column of columns) if (!info.columns.includes(column)) throw invalidArgument('columns', `${info.name} has no column ${column}`);
    const statement = this.#prepared(`insert\0${info.name}\0${columns.join('\0')}`, () =>
      `INSERT INTO ${quote(info.name)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    for (const values of rows) statement.run(...values.map(decodeCell));
    return rows.length;
  }

  finish(): string[] {
    const { rebuild } = this.catalog();
    for (const name of rebuild) {
      this.#prepared(`rebuild\0${name}`, () => `INSERT INTO ${quote(name)} (${quote(name)}) VALUES ('rebuild')`).run();
    }
    return [...rebuild];
  }
}
