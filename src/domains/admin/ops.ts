/** Store-wide operations: read-only direct SQL, integrity, maintenance, export and import. */
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { FlowstoreError, isSqliteError } from '../../errors.ts';
import { defineDomain, opsOf } from '../../engine/op.ts';
import { maintenanceOps } from './maintenance.ts';
import { prepareAdmin, type AdminStatements } from './sql.ts';
import { transferOps } from './transfer.ts';

/** Distinct user statements kept prepared per connection. */
const QUERY_CACHE_SIZE = 64;
const SQLITE_READONLY = 8;

const op = opsOf<AdminStatements>();

const bindable = z.union([z.string(), z.number(), z.bigint(), z.null(), z.custom<Uint8Array>((v) => v instanceof Uint8Array)]);
export const queryInput = z.object({
  sql: z.string().min(1).max(1_000_000),
  params: z.union([z.array(bindable), z.record(z.string(), bindable)]).default([]),
}).strict();

function statementFor(sql: AdminStatements, text: string): StatementSync {
  let statement = sql.queryCache.get(text);
  if (statement) {
    sql.queryCache.delete(text);
  } else {
    try {
      statement = sql.db.prepare(text);
    } catch (cause) {
      throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `sql: ${(cause as Error).message}`, { details: { field: 'sql' }, cause });
    }
    if (sql.queryCache.size >= QUERY_CACHE_SIZE) sql.queryCache.delete(sql.queryCache.keys().next().value!);
  }
  sql.queryCache.set(text, statement);
  return statement;
}

export const admin = defineDomain('admin', { sqlite: prepareAdmin }, {
  query: op({
    kind: 'read',
    input: queryInput,
    run(ctx, { sql: text, params }): Record<string, unknown>[] {
      const statement = statementFor(ctx.sql, text);
      // On the writer (inside a transaction, or an in-memory store) query_only makes any write fail like on a reader.
      // A flag pragma acts when it is compiled, not when it is run: it cannot be a prepared statement.
      if (ctx.writable) ctx.sql.db.exec('PRAGMA query_only = ON');
      try {
        const rows = Array.isArray(params) ? statement.all(...(params as SQLInputValue[])) : statement.all(params as Record<string, SQLInputValue>);
        return rows.map((row) => ({ ...row }));
      } catch (cause) {
        if (isSqliteError(cause) && (cause.errcode & 0xff) === SQLITE_READONLY) {
          throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', 'sql: store.query runs read-only statements only', { details: { field: 'sql' }, cause });
        }
        throw cause;
      } finally {
        if (ctx.writable) ctx.sql.db.exec('PRAGMA query_only = OFF');
      }
    },
  }),

  checkIntegrity: op({
    kind: 'read',
    input: z.object({}).strict(),
    run({ sql }): { ok: boolean; messages: string[] } {
      const messages = (sql.integrity.all() as { integrity_check: string }[]).map((row) => row.integrity_check);
      return { ok: messages.length === 1 && messages[0] === 'ok', messages };
    },
  }),

  ...maintenanceOps,
  ...transferOps,
});
