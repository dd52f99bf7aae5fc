/**
 * The defaults of a PostgreSQL store's options (`postgres` in `openStore`'s options), named,
 * apart from their schema (options.ts) so that importing flowstore loads no schema library.
 *
 * @example
 * ```ts
 * await openStore({ path: 'postgres://app@db/app', postgres: { poolSize: DEFAULT_PG_POOL_SIZE * 2 } });
 * ```
 */
/** Connections the readers share (the writer has one more of its own). */
export const DEFAULT_PG_POOL_SIZE = 10;
/** The schema that holds flowstore's tables, so that it can share a database. */
export const DEFAULT_PG_SCHEMA = 'flowstore';
export const DEFAULT_PG_CONNECT_TIMEOUT_MS = 10_000;
/** No statement timeout unless given (0 is PostgreSQL's own "none"). */
export const DEFAULT_PG_STATEMENT_TIMEOUT_MS = 0;
export const DEFAULT_PG_APPLICATION_NAME = 'flowstore';
