/**
 * What the adapter's constructor takes, as `openStore` options: aaow's URL forms, a
 * PostgreSQL URL, and on it Prisma's `?schema=` (flowstore's `postgres.schema`), so that
 * the DATABASE_URL of a Prisma setup opens the same schema.
 *
 * @example
 * ```ts
 * adapterStoreOptions('postgres://app@db:5432/aaow?schema=runs', process.env);
 * // { path: 'postgres://app@db:5432/aaow', postgres: { schema: 'runs' } }
 * ```
 */
import { locate } from '../backends/index.ts';
import { FlowstoreError, isFlowstoreError } from '../errors.ts';
import type { StoreOptions } from '../store.ts';

/** `{ url }` or aaow's `{ filename }` (the same thing), with any other option of `openStore` (readers, durability, postgres…). */
export type FlowstoreStorageAdapterOptions = Omit<StoreOptions, 'path'> & { url?: string; filename?: string };
/** aaow's name for the options. */
export type SQLiteStorageAdapterOptions = FlowstoreStorageAdapterOptions;

/** aaow's default when neither an argument nor DATABASE_URL names a database. */
export const DEFAULT_DATABASE_URL = 'file:./dev.db';

function invalid(field: string, message: string): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_INVALID_OPTIONS', `${field}: ${message}`, { details: { field } });
}

/** The store's options, or the error that `initialize()` rejects with (the constructor never throws, as aaow's does not). */
export function adapterStoreOptions(database: string | FlowstoreStorageAdapterOptions | undefined, env: NodeJS.ProcessEnv): StoreOptions | FlowstoreError {
  const { url, filename, ...rest } = typeof database === 'object' && database !== null ? database : { url: database };
  if (url !== undefined && filename !== undefined) return invalid('url', 'give url or filename, not both');
  const path = url ?? filename ?? env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  let server: boolean;
  try {
    server = locate(path, {}).location.kind === 'server';
  } catch (error) {
    if (isFlowstoreError(error)) return error;
    throw error;
  }
  if (!server) return { ...rest, path };
  const parsed = new URL(path);
  const schema = parsed.searchParams.get('schema');
  if (schema === null) return { ...rest, path };
  if (rest.postgres?.schema !== undefined && rest.postgres.schema !== schema) {
    return invalid('postgres.schema', "differs from the URL's ?schema=");
  }
  // pg would ignore the parameter; the store's schema option holds it (and validates it).
  parsed.searchParams.delete('schema');
  return { ...rest, path: parsed.toString(), postgres: { ...rest.postgres, schema } };
}
