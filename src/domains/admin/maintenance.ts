/**
 * Looking after the file: online backup, VACUUM (in place and INTO a new file),
 * applied migrations, table sizes.
 */
import { z } from 'zod';
import { fromSqlTime } from '../../codec.ts';
import { opsOf } from '../../engine/op.ts';
import { ChunkSender } from './channel.ts';
import { inSnapshot } from './snapshot.ts';
import type { AdminStatements, MigrationRow } from './sql.ts';

const op = opsOf<AdminStatements>();

/** Pages copied per backup step: small enough for a steady progress report. */
export const BACKUP_PAGES_PER_STEP = 256;

export interface BackupProgress {
  readonly totalPages: number;
  readonly remainingPages: number;
}

export interface AppliedMigration {
  version: number;
  name: string;
  description: string;
  checksum: string;
  appliedAt: Date;
}

export interface TableStats {
  tables: { name: string; rows: number }[];
  pageSize: number;
  pageCount: number;
  freePages: number;
  /** page size × page count: the main file, without its WAL. */
  bytes: number;
}

const file = z.string().min(1).max(4096);

export const maintenanceOps = {
  backup: op({
    kind: 'read',
    input: z.object({ dest: file, channel: z.string().max(200).optional(), pagesPerStep: z.number().int().min(1).max(1_000_000).default(BACKUP_PAGES_PER_STEP) }).strict(),
    run(ctx, { dest, channel, pagesPerStep }): Promise<{ pages: number }> {
      const progress = channel === undefined ? undefined : new ChunkSender<BackupProgress>(channel);
      // Inside one read transaction the source never changes under the copy, so writes
      // committed meanwhile (through the WAL) do not restart it, and it always finishes.
      return inSnapshot(ctx, async () => {
        try {
          // Imported here, in the reader that runs it: the main thread loads this file for the
          // op's declaration and must not need node:sqlite before openStore has checked the runtime.
          const { backup } = await import('node:sqlite');
          const pages = await backup(ctx.sql.db, dest, {
            rate: pagesPerStep,
            progress: ({ totalPages, remainingPages }) => progress?.post({ totalPages, remainingPages }),
          });
          return { pages };
        } finally {
          progress?.close();
        }
      });
    },
  }),

  vacuum: op({
    kind: 'write',
    // SQLite refuses VACUUM inside a transaction: the writer runs it alone, between batches.
    transactional: false,
    input: z.object({}).strict(),
    run({ sql }): void {
      sql.vacuum.run();
    },
  }),

  vacuumInto: op({
    kind: 'read',
    input: z.object({ dest: file }).strict(),
    run({ sql }, { dest }): void {
      sql.vacuumInto.run(dest);
    },
  }),

  migrations: op({
    kind: 'read',
    input: z.object({}).strict(),
    run({ sql }): AppliedMigration[] {
      return (sql.migrations.all() as unknown as MigrationRow[]).map((row) => ({
        version: row.version, name: row.name, description: row.description, checksum: row.checksum, appliedAt: fromSqlTime(row.applied_at),
      }));
    },
  }),

  tableStats: op({
    kind: 'read',
    input: z.object({}).strict(),
    run(ctx): Promise<TableStats> {
      const { sql } = ctx;
      return inSnapshot(ctx, async () => {
        const tables = sql.tables.catalog.tables.map((info) => ({ name: info.name, rows: (sql.tables.count(info).get() as { n: number }).n }));
        const pageSize = (sql.pageSize.get() as { page_size: number }).page_size;
        const pageCount = (sql.pageCount.get() as { page_count: number }).page_count;
        const freePages = (sql.freelist.get() as { freelist_count: number }).freelist_count;
        return { tables, pageSize, pageCount, freePages, bytes: pageSize * pageCount };
      });
    },
  }),
};
