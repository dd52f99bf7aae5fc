/**
 * The options of a PostgreSQL store, under `postgres` in `openStore`'s options: one strict
 * schema, each default named. A SQLite store ignores them.
 *
 * @example
 * ```ts
 * await openStore({ path: 'postgres://app@db/app', postgres: { schema: 'runs', poolSize: 20 } });
 * ```
 */
import { z } from 'zod';
import { DEFAULT_PG_POOL_SIZE, DEFAULT_PG_SCHEMA, DEFAULT_PG_CONNECT_TIMEOUT_MS, DEFAULT_PG_STATEMENT_TIMEOUT_MS, DEFAULT_PG_APPLICATION_NAME } from './defaults.ts';

export * from './defaults.ts';

export const postgresOptionsSchema = z.object({
  poolSize: z.number().int().min(1).max(1000).default(DEFAULT_PG_POOL_SIZE),
  schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a PostgreSQL identifier: letters, digits, underscores').default(DEFAULT_PG_SCHEMA),
  ssl: z.union([z.boolean(), z.object({ rejectUnauthorized: z.boolean().optional(), ca: z.string().optional() }).strict()]).default(false),
  connectTimeoutMs: z.number().int().positive().max(3600 * 1000).default(DEFAULT_PG_CONNECT_TIMEOUT_MS),
  statementTimeoutMs: z.number().int().nonnegative().max(24 * 3600 * 1000).default(DEFAULT_PG_STATEMENT_TIMEOUT_MS),
  applicationName: z.string().max(63).default(DEFAULT_PG_APPLICATION_NAME),
}).strict();

export type PostgresOptions = z.output<typeof postgresOptionsSchema>;
