/**
 * Export to and import from JSON lines, generically over every table of the schema.
 *
 * Lines: a header `{"flowstore":"export","format":1,"migrations":[…]}`, then for each
 * table `{"table":t,"columns":[…]}` followed by `{"table":t,"values":[…]}` rows, then
 * `{"end":true,"tables":n,"rows":m}` so that a truncated file is refused.
 */
import { z } from 'zod';
import { FlowstoreError, invalidArgument } from '../../errors.ts';
import { opsOf } from '../../engine/op.ts';
import { ChunkSender } from './channel.ts';
import { inSnapshot } from './snapshot.ts';
import type { AdminStatements, MigrationRow } from './sql.ts';
import { decodeCell, encodeCell } from './values.ts';

const op = opsOf<AdminStatements>();

export const EXPORT_FORMAT = 1;
const MAX_PAGE_ROWS = 10_000;

/** What travels from the reader to the caller: lines of text, and how many rows they hold. */
export interface ExportChunk {
  text: string;
  rows: number;
}

export interface ExportSummary {
  tables: number;
  rows: number;
}

const migrationRef = z.object({ version: z.number().int().positive(), name: z.string() }).strip();

export const transferOps = {
  exportLines: op({
    kind: 'read',
    input: z.object({ channel: z.string().min(1).max(200), pageRows: z.number().int().min(1).max(MAX_PAGE_ROWS).default(500) }).strict(),
    run(ctx, { channel, pageRows }): Promise<ExportSummary> {
      const { sql } = ctx;
      const sender = new ChunkSender<ExportChunk>(channel);
      // One read transaction: pages of a live store still add up to one consistent state.
      return inSnapshot(ctx, async () => {
        try {
          const migrations = (sql.migrations.all() as unknown as MigrationRow[]).map(({ version, name }) => ({ version, name }));
          await sender.send({ text: `${JSON.stringify({ flowstore: 'export', format: EXPORT_FORMAT, migrations })}\n`, rows: 0 });
          let rows = 0;
          const { tables } = sql.tables.catalog;
          for (const info of tables) {
            let lines = `${JSON.stringify({ table: info.name, columns: info.columns })}\n`;
            const keyIndexes = info.key.map((k) => info.columns.indexOf(k));
            let cursor: unknown[] | undefined;
            for (;;) {
              const page = (cursor === undefined
                ? sql.tables.page(info, true).all(pageRows)
                : sql.tables.page(info, false).all(...(cursor as never[]), pageRows)) as unknown as unknown[][];
              for (const values of page) lines += `${JSON.stringify({ table: info.name, values: values.map(encodeCell) })}\n`;
              rows += page.length;
              await sender.send({ text: lines, rows: page.length });
              lines = '';
              if (page.length < pageRows) break;
              const last = page[page.length - 1]!;
              cursor = keyIndexes.map((i) => last[i]);
            }
          }
          await sender.send({ text: `${JSON.stringify({ end: true, tables: tables.length, rows })}\n`, rows: 0 });
          await sender.drain();
          return { tables: tables.length, rows };
        } finally {
          sender.close();
        }
      });
    },
  }),

  /** First step of an import, inside its transaction: the store must be empty and know every exported migration. */
  importBegin: op({
    kind: 'write',
    input: z.object({ migrations: z.array(migrationRef) }).strict(),
    run({ sql }, { migrations }): void {
      const known = new Map((sql.migrations.all() as unknown as MigrationRow[]).map((row) => [row.version, row.name]));
      for (const migration of migrations) {
        if (known.get(migration.version) !== migration.name) {
          throw new FlowstoreError('FLOWSTORE_MIGRATION', `the export has migration ${migration.version}_${migration.name}, which this store does not have`, { details: { version: migration.version } });
        }
      }
      for (const info of sql.tables.catalog.tables) {
        if (info.name === 'sqlite_sequence') continue;
        const { n } = sql.tables.count(info).get() as { n: number };
        if (n > 0) throw new FlowstoreError('FLOWSTORE_CONFLICT', `import needs an empty store: ${info.name} has ${n} rows`, { details: { table: info.name, rows: n } });
      }
      // Rows arrive table by table; foreign keys are checked once, at commit.
      sql.deferForeignKeys.run();
    },
  }),

  importRows: op({
    kind: 'write',
    input: z.object({
      table: z.string().min(1).max(512),
      columns: z.array(z.string().min(1).max(512)).min(1),
      rows: z.array(z.array(z.unknown())),
      /** The table's first chunk: rows that triggers made while earlier tables were imported go first. */
      first: z.boolean().default(false),
    }).strict(),
    run({ sql }, { table, columns, rows, first }): number {
      const info = sql.tables.table(table);
      if (first) sql.tables.clear(info).run();
      const insert = sql.tables.insert(info, columns);
      for (const values of rows) {
        if (values.length !== columns.length) throw invalidArgument('rows', `${table}: a row has ${values.length} values for ${columns.length} columns`);
        insert.run(...values.map(decodeCell));
      }
      return rows.length;
    },
  }),

  /** Last step: FTS indexes over external content are rebuilt from the imported rows. */
  importEnd: op({
    kind: 'write',
    input: z.object({}).strict(),
    run({ sql }): string[] {
      for (const name of sql.tables.catalog.rebuild) sql.tables.rebuild(name).run();
      return [...sql.tables.catalog.rebuild];
    },
  }),
};
