/**
 * The PostgreSQL catalog of the store's schema (pg_class, pg_attribute, pg_index,
 * pg_constraint) and the paging and insert statements over it. Cells read and written
 * here are the export's (values.ts), column by column as SQLite would hold them: integers
 * stay integers, `double precision` stays real, booleans are 0/1, and `bytea` that SQLite
 * declares TEXT (JSON values, agent state) is its text unless it is a deflated stream, as
 * SQLite keeps it: text when plain, a blob when deflated.
 */
import { Codec } from '../../codec.ts';
import { FlowstoreError, invalidArgument } from '../../errors.ts';
import type { Statement } from '../../engine/op.ts';
import type { QueryConfig } from 'pg';
import type { PgConnection } from '../../backends/postgres/connection.ts';
import type { TableAccess, TablePage } from './statements.ts';
import { sqliteTextColumns } from './sqlite-shape.ts';
import { NOT_EXPORTED, parentsFirst, quote, ROWID, type TableCatalog, type TableInfo } from './tables.ts';
import { decodeCell, encodeCell, type JsonCell } from './values.ts';

/** The first byte of every zlib stream fflate writes (see codec.ts). */
const ZLIB_HEADER = 0x78;
/** Checks a deflated stream whole (inflates it and compares its checksum). */
const zlib = new Codec(false);

/** How a column's values become export cells and back. */
type Kind = 'integer' | 'real' | 'boolean' | 'bytes' | 'json' | 'text';

interface Column {
  readonly name: string;
  readonly kind: Kind;
  /** The column's type, for messages. */
  readonly type: string;
  /** Read as text (json, dates, arrays…): pg would otherwise parse them into objects. */
  readonly asText: boolean;
  /** Ordered with COLLATE "C", SQLite's byte order, whatever the column's own collation. */
  readonly collatable: boolean;
  /** The identity or serial sequence behind the column, restarted past the imported values. */
  readonly sequence: string | null;
}

interface PgTable {
  readonly info: TableInfo;
  readonly columns: ReadonlyMap<string, Column>;
}

interface ColumnRow {
  table: string;
  column: string;
  typname: string;
  type: string;
  generated: string;
  collatable: boolean;
  sequence: string | null;
}

const KINDS: Record<string, Kind> = {
  int2: 'integer', int4: 'integer', int8: 'integer', float4: 'real', float8: 'real', numeric: 'real', bool: 'boolean', bytea: 'bytes',
};
/** Types whose values pg hands over as the text, number or bytes an export cell holds. */
const READ_AS_IS = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'bool', 'bytea', 'text', 'varchar', 'bpchar', 'name', 'timestamptz', 'timestamp']);

const COLUMNS_SQL = `SELECT c.relname AS table, a.attname AS column, t.typname, format_type(a.atttypid, a.atttypmod) AS type,
    a.attgenerated AS generated, a.attcollation <> 0 AS collatable,
    pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS sequence
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
  ORDER BY c.relname, a.attnum`;
const KEYS_SQL = `SELECT c.relname AS table, a.attname AS column
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
  WHERE n.nspname = current_schema() AND i.indisprimary
  ORDER BY c.relname, k.position`;
const PARENTS_SQL = `SELECT c.relname AS table, p.relname AS parent
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
  JOIN pg_namespace n ON n.oid = k.connamespace
  WHERE n.nspname = current_schema() AND k.contype = 'f'`;

function kindOf(row: ColumnRow): Kind {
  const kind = KINDS[row.typname] ?? 'text';
  return kind === 'bytes' && sqliteTextColumns().get(row.table)?.has(row.column) === true ? 'json' : kind;
}

/** A whole zlib stream, which text never is; text that merely starts with "x" is not one. */
function isDeflated(bytes: Uint8Array): boolean {
  if (bytes[0] !== ZLIB_HEADER) return false;
  try {
    zlib.decodeBytes(bytes, true);
    return true;
  } catch {
    return false;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function encode(column: Column, value: unknown): JsonCell {
  if (value === null || value === undefined) return null;
  switch (column.kind) {
    case 'integer':
      return encodeCell(typeof value === 'number' ? BigInt(value) : value);
    case 'boolean':
      return value === true ? 1 : value === false ? 0 : encodeCell(value);
    case 'json':
      if (value instanceof Uint8Array && !isDeflated(value)) {
        try {
          return utf8.decode(value);
        } catch {
          // Not UTF-8: bytes, as a blob in a TEXT column is on SQLite.
        }
      }
      return encodeCell(value);
    default:
      return encodeCell(value);
  }
}

/** A cell as a parameter pg sends as the column's type expects. */
function decode(column: Column, cell: unknown): unknown {
  const value = decodeCell(cell);
  if (value === null) return null;
  switch (column.kind) {
    case 'bytes':
    case 'json':
      if (typeof value === 'string') return Buffer.from(value, 'utf8');
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      break;
    case 'real':
      if (typeof value === 'number' && Object.is(value, -0)) return '-0';
      break;
    default:
      if (value instanceof Uint8Array) throw invalidArgument('rows', `${column.name} is ${column.type}: bytes do not fit it`);
  }
  return typeof value === 'bigint' || typeof value === 'number' ? String(value) : value;
}

/**
 * Rows of a statement sent on the connection's client itself, where the connection does
 * not track it: its failure is the handler's to report (the writer rolls back to the
 * operation's savepoint), never a failure of the batch's own writes.
 */
export async function rowsOf<T = Record<string, unknown>>(conn: PgConnection, text: string, values?: unknown[]): Promise<T[]> {
  return (await conn.client.query({ text, values, queryMode: 'extended' } as QueryConfig)).rows as T[];
}

async function readCatalog(conn: PgConnection): Promise<{ catalog: TableCatalog; tables: Map<string, PgTable> }> {
  // One after another: a reader's connection takes one query at a time.
  const columnRows = await rowsOf<ColumnRow>(conn, COLUMNS_SQL);
  const keyRows = await rowsOf<{ table: string; column: string }>(conn, KEYS_SQL);
  const parentRows = await rowsOf<{ table: string; parent: string }>(conn, PARENTS_SQL);
  const byTable = new Map<string, ColumnRow[]>();
  for (const row of columnRows) {
    if (NOT_EXPORTED.has(row.table)) continue;
    // A generated column (a search vector, say) and a tsvector kept by a trigger are derived: the import makes them again.
    if (row.generated !== '' || row.typname === 'tsvector') continue;
    byTable.set(row.table, [...(byTable.get(row.table) ?? []), row]);
  }
  const keys = new Map<string, string[]>();
  for (const row of keyRows) keys.set(row.table, [...(keys.get(row.table) ?? []), row.column]);
  const parents = new Map<string, string[]>();
  for (const row of parentRows) parents.set(row.table, [...(parents.get(row.table) ?? []), row.parent]);
  const tables = new Map<string, PgTable>();
  for (const [name, rows] of byTable) {
    const columns = new Map(rows.map((row): [string, Column] => [row.column, {
      name: row.column, kind: kindOf(row), type: row.type, asText: !READ_AS_IS.has(row.typname), collatable: row.collatable, sequence: row.sequence,
    }]));
    // A `rowid` column is SQLite's rowid here: it leads the line and orders the rows, as there.
    const names = [...columns.keys()].sort((a, b) => Number(b === ROWID) - Number(a === ROWID));
    const key = columns.has(ROWID) ? [ROWID] : keys.get(name);
    if (!key) throw new FlowstoreError('FLOWSTORE_POSTGRES', `table ${name} has no primary key to export it by`, { details: { table: name } });
    tables.set(name, { info: { name, columns: names, key, derived: false }, columns });
  }
  const ordered = parentsFirst([...tables.values()].map((t) => t.info), parents);
  return { catalog: { tables: ordered, rebuild: [] }, tables };
}

/** Table statements on one PostgreSQL connection. */
export class PgTables implements TableAccess {
  readonly #conn: PgConnection;
  readonly #cache = new Map<string, Statement>();
  #read: Promise<{ catalog: TableCatalog; tables: Map<string, PgTable> }> | undefined;

  constructor(conn: PgConnection) {
    this.#conn = conn;
  }

  #schema(): Promise<{ catalog: TableCatalog; tables: Map<string, PgTable> }> {
    this.#read ??= readCatalog(this.#conn).catch((error: unknown) => {
      this.#read = undefined;
      throw error;
    });
    return this.#read;
  }

  async catalog(): Promise<TableCatalog> {
    return (await this.#schema()).catalog;
  }

  async #table(info: TableInfo): Promise<PgTable> {
    const table = (await this.#schema()).tables.get(info.name);
    if (!table) throw invalidArgument('table', `not a table of this store: ${info.name}`);
    return table;
  }

  #prepared(key: string, sql: () => string): Statement {
    let statement = this.#cache.get(key);
    if (!statement) {
      statement = this.#conn.statement(sql());
      this.#cache.set(key, statement);
    }
    return statement;
  }

  /**
   * A table read through a server-side cursor, declared on the first page and fetched from
   * on the next: one ordered scan whatever the table's size, where paging by key would scan
   * again for every page of a table whose rowid has no index of its own. The export runs
   * in a transaction (its snapshot), which the cursor lives in.
   */
  async page(info: TableInfo, cursor: readonly unknown[] | undefined, limit: number): Promise<TablePage> {
    const table = await this.#table(info);
    const name = quote(`export ${info.name}`);
    if (cursor === undefined) {
      const select = info.columns.map((column) => (table.columns.get(column)!.asText ? `${quote(column)}::text AS ${quote(column)}` : quote(column)));
      const ordered = info.key.map((k) => (table.columns.get(k)!.collatable ? `${quote(k)} COLLATE "C"` : quote(k)));
      await this.#prepared(`declare\0${info.name}`, () =>
        `DECLARE ${name} NO SCROLL CURSOR FOR SELECT ${select.join(', ')} FROM ${quote(info.name)} ORDER BY ${ordered.join(', ')}`).run();
    }
    const raw = await this.#prepared(`fetch\0${info.name}\0${limit}`, () => `FETCH FORWARD ${Number(limit)} FROM ${name}`).all();
    const more = raw.length === limit;
    if (!more) await this.#prepared(`close\0${info.name}`, () => `CLOSE ${name}`).run();
    return {
      rows: raw.map((row) => info.columns.map((column) => encode(table.columns.get(column)!, row[column]))),
      cursor: more ? [name] : undefined,
    };
  }

  async count(info: TableInfo): Promise<number> {
    await this.#table(info);
    const row = await this.#prepared(`count\0${info.name}`, () => `SELECT COUNT(*) AS n FROM ${quote(info.name)}`).get();
    return (row as { n: number }).n;
  }

  async clear(info: TableInfo): Promise<unknown> {
    await this.#table(info);
    return this.#prepared(`clear\0${info.name}`, () => `DELETE FROM ${quote(info.name)}`).run();
  }

  async insert(info: TableInfo, names: readonly string[], rows: readonly (readonly unknown[])[]): Promise<number> {
    const table = await this.#table(info);
    const columns = names.map((name) => {
      const column = table.columns.get(name);
      if (!column) throw invalidArgument('columns', `${info.name} has no column ${name}`);
      return column;
    });
    // OVERRIDING SYSTEM VALUE: an identity column takes the exported value, as SQLite's rowid does.
    const statement = this.#prepared(`insert\0${info.name}\0${names.join('\0')}`, () =>
      `INSERT INTO ${quote(info.name)} (${names.map(quote).join(', ')}) OVERRIDING SYSTEM VALUE VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`);
    const params = rows.map((cells) => cells.map((cell, i) => decode(columns[i]!, cell)));
    // Not awaited: the writer sends the chunk's rows in one round trip and reports the first that failed.
    for (const values of params) void statement.run(...values);
    return rows.length;
  }

  async finish(): Promise<string[]> {
    const { tables } = await this.#schema();
    const restarts: unknown[] = [];
    for (const { info, columns } of tables.values()) {
      for (const column of columns.values()) {
        if (column.sequence === null) continue;
        // The next value follows the largest imported one; an empty table leaves its sequence alone.
        restarts.push(this.#prepared(`restart\0${info.name}\0${column.name}`, () =>
          `SELECT setval($1::regclass, m) FROM (SELECT MAX(${quote(column.name)}) AS m FROM ${quote(info.name)}) AS imported WHERE m IS NOT NULL`).get(column.sequence));
      }
    }
    await Promise.all(restarts);
    return [];
  }
}
