/**
 * Worker entry points. From the sources (tests, development) they are the `.ts`
 * files, which Node 24 runs by stripping types; from the published package they are
 * the compiled `.js` files, since Node will not strip types inside node_modules.
 */
import { fileURLToPath } from 'node:url';

const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

export const WRITER_FILE = fileURLToPath(new URL(`../../workers/writer${extension}`, import.meta.url));
export const CHECKPOINTER_FILE = fileURLToPath(new URL(`../../workers/checkpointer${extension}`, import.meta.url));
export const READER_FILE = fileURLToPath(new URL(`../../workers/reader${extension}`, import.meta.url));
/** Each backend's migrations, numbered alike. */
export const MIGRATIONS_DIRS = {
  sqlite: fileURLToPath(new URL('../../migrations/sqlite/', import.meta.url)),
  postgres: fileURLToPath(new URL('../../migrations/postgres/', import.meta.url)),
} as const;
