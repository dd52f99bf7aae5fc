/** Store-wide operations: read-only direct SQL, integrity, maintenance, export and import. */
import { invalidArgument } from '../../errors.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { defineDomain, opsOf } from '../../engine/op.ts';
import { maintenanceOps } from './maintenance.ts';
import { preparePostgres } from './postgres.ts';
import { prepareAdmin as prepareSqlite } from './sqlite.ts';
import type * as Schemas from './schema.ts';
import type { AdminStatements } from './statements.ts';
import { transferOps } from './transfer.ts';

const op = opsOf<AdminStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');

/**
 * A statement that would begin or end a transaction: inside store.transaction it would
 * commit or roll back the caller's work halfway, and neither backend's read-only mode stops it.
 */
const TRANSACTION_CONTROL = /^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE)\b/i;

export const admin = defineDomain('admin', { sqlite: prepareSqlite, postgres: preparePostgres }, {
  query: op({
    kind: 'read',
    alone: true,
    input: s.queryInput,
    run({ sql, writable }, { sql: text, params }) {
      if (TRANSACTION_CONTROL.test(text)) throw invalidArgument('sql', 'store.query cannot begin or end a transaction');
      return sql.query(text, params, writable);
    },
  }),

  checkIntegrity: op({
    kind: 'read',
    input: s.emptyInput,
    async run({ sql }): Promise<{ ok: boolean; messages: string[] }> {
      const messages = await sql.integrity();
      return { ok: messages.length === 1 && messages[0] === 'ok', messages };
    },
  }),

  ...maintenanceOps,
  ...transferOps,
});
