/**
 * Export to and import from JSON lines, generically over every table of the schema, on
 * either backend: the lines are the same whichever backend wrote them (see values.ts),
 * so an export of one imports into the other.
 *
 * Lines: a header `{"flowstore":"export","format":1,"backend":…,"migrations":[…]}`, then
 * for each table `{"table":t,"columns":[…]}` (with `"derived":true` for data the store
 * derives from its other tables) followed by `{"table":t,"values":[…]}` rows, then
 * `{"end":true,"tables":n,"rows":m}` so that a truncated file is refused.
 */
import { FlowstoreError, invalidArgument } from '../../errors.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { opsOf, type Awaitable } from '../../engine/op.ts';
import { ChunkSender } from './channel.ts';
import { inSnapshot } from './snapshot.ts';
import type * as Schemas from './schema.ts';
import type { AdminStatements, MigrationRow } from './statements.ts';
import { ROWID } from './tables.ts';

const op = opsOf<AdminStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');

export const EXPORT_FORMAT = 1;

/** What travels from the reader to the caller: lines of text, and how many rows they hold. */
export interface ExportChunk {
  text: string;
  rows: number;
}

export interface ExportSummary {
  tables: number;
  rows: number;
}

export const transferOps = {
  exportLines: op({
    kind: 'read',
    alone: true,
    input: s.exportInput,
    run(ctx, { channel, pageRows, backend }): Promise<ExportSummary> {
      const { sql } = ctx;
      const sender = new ChunkSender<ExportChunk>(channel);
      // One read transaction: pages of a live store still add up to one consistent state.
      return inSnapshot(ctx, async () => {
        try {
          const migrations = ((await sql.migrations.all()) as MigrationRow[]).map(({ version, name }) => ({ version, name }));
          await sender.send({ text: `${JSON.stringify({ flowstore: 'export', format: EXPORT_FORMAT, backend, migrations })}\n`, rows: 0 });
          let rows = 0;
          const { tables } = await sql.tables.catalog();
          for (const info of tables) {
            let lines = `${JSON.stringify({ table: info.name, columns: info.columns, ...(info.derived ? { derived: true } : {}) })}\n`;
            let cursor: readonly unknown[] | undefined;
            do {
              const page = await sql.tables.page(info, cursor, pageRows);
              for (const values of page.rows) lines += `${JSON.stringify({ table: info.name, values })}\n`;
              rows += page.rows.length;
              await sender.send({ text: lines, rows: page.rows.length });
              lines = '';
              cursor = page.cursor;
            } while (cursor !== undefined);
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
    input: s.importBeginInput,
    async run({ sql }, { migrations }): Promise<void> {
      const known = new Map(((await sql.migrations.all()) as MigrationRow[]).map((row) => [row.version, row.name]));
      for (const migration of migrations) {
        if (known.get(migration.version) !== migration.name) {
          throw new FlowstoreError('FLOWSTORE_MIGRATION', `the export has migration ${migration.version}_${migration.name}, which this store does not have`, { details: { version: migration.version } });
        }
      }
      for (const info of (await sql.tables.catalog()).tables) {
        // Derived rows (a sequence's high mark) may outlive the rows they came from.
        if (info.derived) continue;
        const n = await sql.tables.count(info);
        if (n > 0) throw new FlowstoreError('FLOWSTORE_CONFLICT', `import needs an empty store: ${info.name} has ${n} rows`, { details: { table: info.name, rows: n } });
      }
      // Rows arrive table by table; foreign keys are checked once, at commit.
      void sql.deferForeignKeys();
    },
  }),

  importRows: op({
    kind: 'write',
    input: s.importRowsInput,
    /** How many rows went in; `null` when this store derives the table itself and took none. */
    async run({ sql }, { table, columns, rows, first, derived }): Promise<number | null> {
      for (const values of rows) {
        if (values.length !== columns.length) throw invalidArgument('rows', `${table}: a row has ${values.length} values for ${columns.length} columns`);
      }
      const info = (await sql.tables.catalog()).tables.find((t) => t.name === table);
      if (!info) {
        // Another backend's way of deriving it (SQLite's FTS5 tables): this store derives its own as the rows arrive.
        if (derived) return null;
        throw invalidArgument('table', `not a table of this store: ${table}`);
      }
      // SQLite's rowid goes where the table keeps one; without it, rows take new ids in the order they come.
      const kept = columns.map((column) => column !== ROWID || info.columns.includes(ROWID));
      if (first) await sql.tables.clear(info);
      if (kept.every(Boolean)) return sql.tables.insert(info, columns, rows);
      return sql.tables.insert(info, columns.filter((_, i) => kept[i]), rows.map((values) => values.filter((_, i) => kept[i])));
    },
  }),

  /** Last step: FTS indexes over external content are rebuilt from the imported rows. */
  importEnd: op({
    kind: 'write',
    input: s.emptyInput,
    run({ sql }): Awaitable<string[]> {
      return sql.tables.finish();
    },
  }),
};
