/**
 * Worker entry points. From the sources (tests, development) they are the `.ts` and `.cts`
 * files, which Node runs by stripping types; from the published package they are the
 * compiled `.js` and `.cjs` files, since Node will not strip types inside node_modules.
 * The reader's is CommonJS because Piscina require()s it (see workers/reader.cts).
 */
import { fileURLToPath } from 'node:url';

const fromSources = import.meta.url.endsWith('.ts');
const [esm, cjs] = fromSources ? ['.ts', '.cts'] : ['.js', '.cjs'];

export const WRITER_FILE = fileURLToPath(new URL(`../../workers/writer${esm}`, import.meta.url));
export const CHECKPOINTER_FILE = fileURLToPath(new URL(`../../workers/checkpointer${esm}`, import.meta.url));
export const READER_FILE = fileURLToPath(new URL(`../../workers/reader${cjs}`, import.meta.url));
/** Each backend's migrations, numbered alike. */
export const MIGRATIONS_DIRS = {
  sqlite: fileURLToPath(new URL('../../migrations/sqlite/', import.meta.url)),
  postgres: fileURLToPath(new URL('../../migrations/postgres/', import.meta.url)),
} as const;
