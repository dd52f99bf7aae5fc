/**
 * What an export covers, whichever backend reads it: the tables of the store's schema in
 * an order an import can follow, each with the columns a line carries and the key it is
 * paged by. Each backend reads its own catalog (sqlite-tables.ts, postgres-tables.ts);
 * the catalog is also the allow-list for every identifier the admin domain puts in SQL.
 */

export interface TableInfo {
  readonly name: string;
  /**
   * What an export line carries, in order. SQLite's implicit `rowid` comes first where a
   * table has one; on PostgreSQL a column named `rowid` plays that part (insertion order).
   */
  readonly columns: readonly string[];
  /** The keyset the export pages by: `rowid` where there is one, else the primary key. */
  readonly key: readonly string[];
  /**
   * Data the store derives from its other tables (SQLite's FTS5 tables, `sqlite_sequence`):
   * exported so that a copy on the same backend is exact, and skipped by an import into a
   * store that derives it its own way (PostgreSQL keeps search vectors and sequences).
   */
  readonly derived: boolean;
}

export interface TableCatalog {
  /** Tables in export order: parents before children, derived tables last. */
  readonly tables: readonly TableInfo[];
  /** What an import rebuilds at its end instead of reading it (SQLite: external-content FTS tables). */
  readonly rebuild: readonly string[];
}

/** Bookkeeping that an export never carries: migrations stay the target store's own. */
export const NOT_EXPORTED = new Set(['flowstore_migrations']);

/** SQLite's implicit row id, and the name of the PostgreSQL column that stands for it. */
export const ROWID = 'rowid';

export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** Parents first, so that an import never inserts a child before its parent; cycles keep name order. */
export function parentsFirst(tables: readonly TableInfo[], parents: ReadonlyMap<string, readonly string[]>): TableInfo[] {
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
  // Code-point order for ties, as on both backends' "C" collation: the two catalogs list tables alike.
  for (const table of [...tables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) visit(table.name);
  return ordered;
}
