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

/**
 * The Node options a thread starts with when they must differ from the process's own;
 * undefined, the usual case, lets each thread inherit them (Node leaving out those that
 * apply only to the process). Node hands a thread `--input-type` too, then refuses it there
 * for a thread that runs a file, so a script run as `node --input-type=module -e '…'` could
 * start no thread (ERR_INPUT_TYPE_NOT_ALLOWED): such a process's threads get its options
 * without it.
 */
export const THREAD_EXEC_ARGV: string[] | undefined = process.execArgv.some(isInputType)
  ? process.execArgv.filter((arg, i, all) => !isInputType(arg) && all[i - 1] !== '--input-type')
  : undefined;

function isInputType(arg: string): boolean {
  return arg === '--input-type' || arg.startsWith('--input-type=');
}
