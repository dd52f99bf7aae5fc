/**
 * The tables an export covers, read from the schema itself (the allow-list for every
 * identifier the admin domain puts in SQL), with their paging and insert statements
 * prepared once per connection and table.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { invalidArgument } from '../../errors.ts';

export interface TableInfo {
  readonly name: string;
  /** What an export line carries, in order; `rowid` first for rowid tables. */
  readonly columns: readonly string[];
  /** The keyset the export pages by: `rowid`, or the primary key of a WITHOUT ROWID table. */
  readonly key: readonly string[];
  /** A virtual table (FTS5 with its own content): emptied of trigger-made rows before import. */
  readonly virtual: boolean;
}

export interface TableCatalog {
  /** Tables in export order: parents before children, virtual tables, then sqlite_sequence. */
  readonly tables: readonly TableInfo[];
  /** FTS tables over external content, rebuilt after an import instead of exported. */
  readonly rebuild: readonly string[];
}

/** Bookkeeping that an export never carries: migrations stay the target store's own. */
const SKIPPED = new Set(['flowstore_migrations']);

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

interface TableListRow { schema: string; name: string; type: string; wr: number }
interface ColumnRow { name: string; pk: number }

export function readCatalog(db: DatabaseSync): TableCatalog {
  const listed = (db.prepare('PRAGMA table_list').all() as unknown as TableListRow[])
    .filter((row) => row.schema === 'main' && (row.type === 'table' || row.type === 'virtual'))
    .filter((row) => !SKIPPED.has(row.name) && (!row.name.startsWith('sqlite_') || row.name === 'sqlite_sequence'));
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
      virtual.push({ name: row.name, columns: ['rowid', ...names], key: ['rowid'], virtual: true });
      continue;
    }
    const key = row.wr ? columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name) : ['rowid'];
    const info: TableInfo = { name: row.name, columns: row.wr ? names : ['rowid', ...names], key, virtual: false };
    if (row.name === 'sqlite_sequence') sequence = info;
    else plain.push(info);
    parents.set(row.name, (db.prepare(`PRAGMA foreign_key_list(${quote(row.name)})`).all() as { table: string }[]).map((fk) => fk.table));
  }
  return { tables: [...topological(plain, parents), ...virtual, ...(sequence ? [sequence] : [])], rebuild };
}

/** Parents first, so that an import never inserts a child before its parent; cycles keep name order. */
function topological(tables: TableInfo[], parents: Map<string, string[]>): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const ordered: TableInfo[] = [];
  const visit = (name: string) => {
    if (done.has(name) || visiting.has(name) || !byName.has(name)) return;
    visiting.add(name);
    for (const parent of parents.get(name) ?? []) if (parent !== name) visit(parent);
    visiting.delete(name);
    done.add(name);
    ordered.push(byName.get(name)!);
  };
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(table.name);
  return ordered;
}

/** Statements over schema-listed tables, prepared the first time each is needed on this connection. */
export class TableStatements {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, StatementSync>();
  #catalog: TableCatalog | undefined;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** The schema does not change while a store is open (only the writer migrates, before anything runs). */
  get catalog(): TableCatalog {
    this.#catalog ??= readCatalog(this.#db);
    return this.#catalog;
  }

  table(name: string): TableInfo {
    const info = this.catalog.tables.find((t) => t.name === name);
    if (!info) throw invalidArgument('table', `not a table of this store: ${name}`);
    return info;
  }

  #prepared(key: string, sql: () => string): StatementSync {
    let statement = this.#cache.get(key);
    if (!statement) {
      statement = this.#db.prepare(sql());
      this.#cache.set(key, statement);
    }
    return statement;
  }

  /** The first page (no cursor yet) or the page after `cursor`, by the table's key. */
  page(info: TableInfo, first: boolean): StatementSync {
    const statement = this.#prepared(`page\0${first}\0${info.name}`, () => {
      const keys = info.key.map(quote).join(', ');
      const where = first ? '' : ` WHERE (${keys}) > (${info.key.map(() => '?').join(', ')})`;
      return `SELECT ${info.columns.map(quote).join(', ')} FROM ${quote(info.name)}${where} ORDER BY ${keys} LIMIT ?`;
    });
    // Integers past 2^53 would throw otherwise; values.ts turns safe ones back into numbers.
    statement.setReadBigInts(true);
    statement.setReturnArrays(true);
    return statement;
  }

  count(info: TableInfo): StatementSync {
    return this.#prepared(`count\0${info.name}`, () => `SELECT COUNT(*) AS n FROM ${quote(info.name)}`);
  }

  clear(info: TableInfo): StatementSync {
    return this.#prepared(`clear\0${info.name}`, () => `DELETE FROM ${quote(info.name)}`);
  }

  insert(info: TableInfo, columns: readonly string[]): StatementSync {
    for (const column of columns) if (!info.columns.includes(column)) throw invalidArgument('columns', `${info.name} has no column ${column}`);
    return this.#prepared(`insert\0${info.name}\0${columns.join('\0')}`, () =>
      `INSERT INTO ${quote(info.name)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  }

  rebuild(name: string): StatementSync {
    if (!this.catalog.rebuild.includes(name)) throw invalidArgument('table', `not an external-content FTS table: ${name}`);
    return this.#prepared(`rebuild\0${name}`, () => `INSERT INTO ${quote(name)} (${quote(name)}) VALUES ('rebuild')`);
  }
}
