/**
 * The backends a store can run on, and the one place that picks one: from the path
 * (`openStore`'s `path`, else FLOWSTORE_DB, else DATABASE_URL, else ./flowstore.db). Each
 * backend's own options sit under its name in `openStore`'s options.
 *
 * @example
 * ```ts
 * locate('postgres://app@db/app').backend.name;   // 'postgres'
 * locate('mysql://root@localhost/app');           // throws FLOWSTORE_INVALID_OPTIONS naming `path`
 * ```
 */
import { DEFAULT_PATH } from '../defaults.ts';
import { FlowstoreError } from '../errors.ts';
import type { Backend, Location } from '../engine/backend.ts';
import { postgresBackend } from './postgres/index.ts';
import { redactUrl } from './postgres/location.ts';
import { sqliteBackend } from './sqlite/index.ts';

// The options' schema is in ./options.ts: locating a path (what the CLI does before it opens
// anything) needs no schema library.
export type { StoreOptions, StoreParsedOptions } from './options.ts';

/** In the order they are asked whether a path is theirs: PostgreSQL's URLs before SQLite's paths. */
export const BACKENDS: readonly Backend<any, any>[] = [postgresBackend, sqliteBackend];

/** What a refused path is shown as: a URL without its password. */
function shown(raw: string): string {
  return URL.canParse(raw) ? redactUrl(raw) : JSON.stringify(raw);
}

/**
 * The backend and location `path` names. FLOWSTORE_INVALID_OPTIONS, naming `path` and
 * the forms that are served, for any other URL scheme (`mysql://`, `redis://`, `http://`)
 * or a malformed form of one that is served: before anything opens or creates a file.
 */
export function locate(path: string | undefined, env: NodeJS.ProcessEnv = process.env): { backend: Backend<any, any>; location: Location } {
  const raw = path ?? env.FLOWSTORE_DB ?? env.DATABASE_URL ?? DEFAULT_PATH;
  for (const backend of BACKENDS) {
    const location = backend.locate(raw);
    if (location) return { backend, location };
  }
  const accepted = BACKENDS.flatMap((backend) => backend.forms);
  throw new FlowstoreError('FLOWSTORE_INVALID_OPTIONS', `path: ${shown(raw)} is not a store flowstore can open; give ${accepted.join(', ')}`, {
    details: { field: 'path', accepted },
  });
}
