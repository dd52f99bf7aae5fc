/**
 * What the admin domain needs of a backend: the same names on SQLite and PostgreSQL
 * (sqlite.ts, postgres.ts). The handlers (ops.ts, maintenance.ts, transfer.ts) hold what
 * the operations mean, written once; these are the engine-specific parts: running a
 * user's statement read-only, checking, vacuuming, sizing, and reading and writing
 * tables as export cells (values.ts).
 */
import type { Awaitable, Statement } from '../../engine/op.ts';
import type { TableCatalog, TableInfo } from './tables.ts';
import type { JsonCell } from './values.ts';

/** A value `store.query` binds. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/**
 * One page of a table as export cells, and where the next one starts (`undefined` after the
 * last page): opaque to the caller, the last row's key on SQLite, an open cursor on PostgreSQL.
 */
export interface TablePage {
  readonly rows: JsonCell[][];
  readonly cursor: readonly unknown[] | undefined;
}

/** Reading and writing whole tables, for export and import; every statement prepared once per connection and table. */
export interface TableAccess {
  /** Read from the schema once per connection (only the writer migrates, before anything runs). */
  catalog(): Awaitable<TableCatalog>;
  /** The rows after `cursor` (or the first ones), in key order, at most `limit`; inside the export's read transaction. */
  page(info: TableInfo, cursor: readonly unknown[] | undefined, limit: number): Awaitable<TablePage>;
  count(info: TableInfo): Awaitable<number>;
  /** Empties a table: rows that triggers made while earlier tables were imported go before its own. */
  clear(info: TableInfo): Awaitable<unknown>;
  /** Inserts rows of export cells, each holding `columns` (checked against the catalog) in order; resolves how many. */
  insert(info: TableInfo, columns: readonly string[], rows: readonly (readonly unknown[])[]): Awaitable<number>;
  /** After an import: rebuilds what the catalog lists and restarts sequences past the imported keys; the names rebuilt. */
  finish(): Awaitable<string[]>;
}

/** The store's size, as each backend counts it. */
export interface StorageFigures {
  readonly pageSize: number;
  readonly pageCount: number;
  /** Pages the store holds but does not use (SQLite's freelist; PostgreSQL keeps no such count: 0). */
  readonly freePages: number;
  readonly bytes: number;
  /** Bytes per table, indexes included, where the backend says (PostgreSQL's pg_total_relation_size). */
  readonly tableBytes?: ReadonlyMap<string, number>;
}

export interface AdminStatements {
  /**
   * Runs one user statement so that the server refuses any write (FLOWSTORE_INVALID_ARGUMENT
   * naming `sql`); `writable` says it runs on the writer, inside a transaction.
   */
  query(text: string, params: readonly SqlValue[] | Readonly<Record<string, SqlValue>>, writable: boolean): Awaitable<Record<string, unknown>[]>;
  /** The integrity check's findings: `['ok']` when it found nothing. */
  integrity(): Awaitable<string[]>;
  /** Runs `work` in one read transaction of a reader, so that every step sees one snapshot. */
  snapshot<T>(work: () => Promise<T>): Promise<T>;
  /** Reclaims the store's unused space; runs alone on the writer, outside any transaction. */
  vacuum(): Awaitable<void>;
  storage(): Awaitable<StorageFigures>;
  /** Foreign keys are checked at commit from here on, so that an import may take tables in any order. */
  deferForeignKeys(): Awaitable<unknown>;
  /** `(version, name, description, checksum, applied_at)` in version order. */
  migrations: Statement;
  tables: TableAccess;
  /**
   * Copies of the database file, which only SQLite has: a PostgreSQL store's `backup` and
   * `vacuumInto` write a SQLite file through export and import instead (see copy.ts).
   */
  file: FileCopies | undefined;
}

export interface FileCopies {
  /** SQLite's online backup to `dest`; resolves the page count. */
  backup(dest: string, pagesPerStep: number, progress: (totalPages: number, remainingPages: number) => void): Promise<number>;
  vacuumInto(dest: string): void;
}

/** A row of flowstore_migrations as both backends return it. */
export interface MigrationRow {
  version: number;
  name: string;
  description: string;
  checksum: string;
  applied_at: string;
}
