/**
 * The PostgreSQL backend, through the pure-JavaScript `pg` driver: the writer on one
 * pipelined connection, the readers sharing a pool, migrations under an advisory lock.
 *
 * @example
 * ```ts
 * const location = postgresBackend.locate('postgres://app@db/app');   // { kind: 'server', … }
 * ```
 */
import type { Backend } from '../../engine/backend.ts';
import { moduleBeside } from '../../engine/worker-files.ts';
import type { PgSettings } from './connection.ts';
import { locatePostgres, POSTGRES_FORMS } from './location.ts';
import type { PostgresOptions } from './options.ts';

export type { PostgresOptions } from './options.ts';

export const postgresBackend: Backend<PgSettings, PostgresOptions> = {
  name: 'postgres',
  forms: POSTGRES_FORMS,
  locate: locatePostgres,
  settings: (location, options, own) => ({
    url: location.target, schema: own.schema, ssl: own.ssl, connectTimeoutMs: own.connectTimeoutMs,
    statementTimeoutMs: own.statementTimeoutMs, applicationName: own.applicationName,
    readerConnections: Math.max(1, Math.ceil(own.poolSize / options.readers)),
  }),
  // Loaded when used: a SQLite store never loads pg.
  verifyReadOnly: async (config) => (await import('./migrate.ts')).verifyPostgresReadOnly(config),
  threads: moduleBeside(import.meta.url, './threads'),
};
