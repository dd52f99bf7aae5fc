/**
 * Files threads load. From the sources (tests, development) they are the `.ts` and `.cts`
 * files, which Node runs by stripping types; from the published package they are the
 * compiled `.js` and `.cjs` files, since Node will not strip types inside node_modules.
 * The reader's entry is CommonJS because Piscina require()s it (see workers/reader.cts).
 *
 * @example
 * ```ts
 * const threads = moduleBeside(import.meta.url, './threads');   // .../threads.ts or .../threads.js
 * ```
 */
import { fileURLToPath } from 'node:url';

/** The file URL of the module `path` (no extension) relative to `from`, in the form `from` itself has. */
export function moduleBeside(from: string, path: string, commonJs = false): string {
  const fromSources = from.endsWith('.ts');
  const extension = commonJs ? (fromSources ? '.cts' : '.cjs') : (fromSources ? '.ts' : '.js');
  return new URL(`${path}${extension}`, from).href;
}

/** A thread's entry file in workers/, as a path for `new Worker()` and Piscina. */
export function workerEntry(name: string, commonJs = false): string {
  return fileURLToPath(moduleBeside(import.meta.url, `../../workers/${name}`, commonJs));
}

export const WRITER_FILE = workerEntry('writer');
export const READER_FILE = workerEntry('reader', true);
