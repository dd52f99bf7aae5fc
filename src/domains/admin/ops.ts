/** Store-wide operations: read-only direct SQL, integrity, maintenance, export and import. */
import { z } from 'zod';
import { invalidArgument } from '../../errors.ts';
import { defineDomain, opsOf } from '../../engine/op.ts';
import { maintenanceOps } from './maintenance.ts';
import { preparePostgres } from './postgres.ts';
import { prepareAdmin as prepareSqlite } from './sqlite.ts';
import type { AdminStatements } from './statements.ts';
import { transferOps } from './transfer.ts';

const op = opsOf<AdminStatements>();

/**
 * A statement that would begin or end a transaction: inside store.transaction it would
 * commit or roll back the caller's work halfway, and neither backend's read-only mode stops it.
 */
const TRANSACTION_CONTROL = /^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE)\b/i;

const bindable = z.union([z.string(), z.number(), z.bigint(), z.null(), z.custom<Uint8Array>((v) => v instanceof Uint8Array)]);
export const queryInput = z.object({
  sql: z.string().min(1).max(1_000_000),
  params: z.union([z.array(bindable), z.record(z.string(), bindable)]).default([]),
}).strict();

export const admin = defineDomain('admin', { sqlite: prepareSqlite, postgres: preparePostgres }, {
  query: op({
    kind: 'read',
    alone: true,
    input: queryInput,
    run({ sql, writable }, { sql: text, params }) {
      if (TRANSACTION_CONTROL.test(text)) throw invalidArgument('sql', 'store.query cannot begin or end a transaction');
      return sql.query(text, params, writable);
    },
  }),

  checkIntegrity: op({
    kind: 'read',
    input: z.object({}).strict(),
    async run({ sql }): Promise<{ ok: boolean; messages: string[] }> {
      const messages = await sql.integrity();
      return { ok: messages.length === 1 && messages[0] === 'ok', messages };
    },
  }),

  ...maintenanceOps,
  ...transferOps,
});
