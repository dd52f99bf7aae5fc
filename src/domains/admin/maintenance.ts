/**
 * Looking after the store: online backup and VACUUM INTO a new file (SQLite's file
 * copies), VACUUM in place, applied migrations, table sizes.
 */
import { fromSqlTime } from '../../codec.ts';
import { FlowstoreError } from '../../errors.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { opsOf, type Awaitable } from '../../engine/op.ts';
import { ChunkSender } from './channel.ts';
import { inSnapshot } from './snapshot.ts';
import type * as Schemas from './schema.ts';
import type { AdminStatements, FileCopies, MigrationRow } from './statements.ts';

const op = opsOf<AdminStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');

/** How far a SQLite backup is, in pages of the database file. */
export interface PageProgress {
  readonly totalPages: number;
  readonly remainingPages: number;
}

/** How far a PostgreSQL store's backup is: it is copied row by row into a SQLite file. */
export interface RowProgress {
  readonly totalRows: number;
  readonly remainingRows: number;
}

export type BackupProgress = PageProgress | RowProgress;

export interface AppliedMigration {
  version: number;
  name: string;
  description: string;
  checksum: string;
  appliedAt: Date;
}

export interface TableStats {
  /** Rows per table; `bytes` (table, indexes and TOAST) on PostgreSQL. */
  tables: { name: string; rows: number; bytes?: number }[];
  pageSize: number;
  pageCount: number;
  /** SQLite's free pages; 0 on PostgreSQL, which reuses the space VACUUM frees without counting it. */
  freePages: number;
  /** SQLite: page size × page count, the main file without its WAL; PostgreSQL: the schema's tables, indexes and TOAST. */
  bytes: number;
}

function fileCopies(sql: AdminStatements): FileCopies {
  if (sql.file) return sql.file;
  // store.backup and store.vacuumInto of a PostgreSQL store copy it into a SQLite file on the caller's thread (copy.ts).
  throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', 'this backend has no database file to copy', { details: { field: 'dest' } });
}

export const maintenanceOps = {
  backup: op({
    kind: 'read',
    alone: true,
    input: s.backupInput,
    run(ctx, { dest, channel, pagesPerStep }): Promise<{ pages: number }> {
      const copies = fileCopies(ctx.sql);
      const progress = channel === undefined ? undefined : new ChunkSender<PageProgress>(channel);
      // Inside one read transaction the source never changes under the copy, so writes
      // committed meanwhile (through the WAL) do not restart it, and it always finishes.
      return inSnapshot(ctx, async () => {
        try {
          const pages = await copies.backup(dest, pagesPerStep, (totalPages, remainingPages) => progress?.post({ totalPages, remainingPages }));
          return { pages };
        } finally {
          progress?.close();
        }
      });
    },
  }),

  vacuum: op({
    kind: 'write',
    // Neither backend runs VACUUM inside a transaction: the writer runs it alone, between batches.
    transactional: false,
    input: s.emptyInput,
    // Not async: SQLite's writer runs this alone and synchronously; PostgreSQL's awaits the promise.
    run({ sql }): Awaitable<void> {
      return sql.vacuum();
    },
  }),

  vacuumInto: op({
    kind: 'read',
    input: s.vacuumIntoInput,
    run({ sql }, { dest }): void {
      fileCopies(sql).vacuumInto(dest);
    },
  }),

  migrations: op({
    kind: 'read',
    input: s.emptyInput,
    async run({ sql }): Promise<AppliedMigration[]> {
      return ((await sql.migrations.all()) as MigrationRow[]).map((row) => ({
        version: row.version, name: row.name, description: row.description, checksum: row.checksum, appliedAt: fromSqlTime(row.applied_at),
      }));
    },
  }),

  tableStats: op({
    kind: 'read',
    alone: true,
    input: s.emptyInput,
    run(ctx): Promise<TableStats> {
      const { sql } = ctx;
      return inSnapshot(ctx, async () => {
        const tables: TableStats['tables'] = [];
        const figures = await sql.storage();
        for (const info of (await sql.tables.catalog()).tables) {
          const bytes = figures.tableBytes?.get(info.name);
          tables.push({ name: info.name, rows: await sql.tables.count(info), ...(bytes === undefined ? {} : { bytes }) });
        }
        const { pageSize, pageCount, freePages, bytes } = figures;
        return { tables, pageSize, pageCount, freePages, bytes };
      });
    },
  }),
};
