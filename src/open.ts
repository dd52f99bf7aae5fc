/**
 * What `openStore` does once called: validates the options, starts the backend's threads,
 * and meanwhile loads the domains' façade (src/facade.ts), which the caller's thread needs
 * only once the store is open. Loaded by src/store.ts on the first `openStore`, so that
 * importing flowstore costs next to nothing.
 *
 * @example
 * ```ts
 * const { engine, parts } = await openEngine(options, (file) => openStore({ path: file, readers: 1 }));
 * ```
 */
import { isMainThread } from 'node:worker_threads';
import type { Logger, LoggerOptions } from 'pino';
import type { CopyTarget } from './domains/admin/copy.ts';
import type { EarlyWriter } from './engine/early-writer.ts';
import { Engine } from './engine/engine.ts';
import type { StoreParts } from './facade.ts';
import { locate } from './backends/index.ts';
import { parseOptions, type StoreOptions } from './backends/options.ts';

/**
 * A logger that drops everything, for a store given none: pino itself is loaded only when
 * a store is given pino's options.
 */
const SILENT: Logger = Object.freeze({
  level: 'silent',
  trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, silent() {},
  child() { return SILENT; },
  isLevelEnabled: () => false,
}) as unknown as Logger;

async function makeLogger(option: StoreOptions['logger']): Promise<Logger> {
  if (option === undefined) return SILENT;
  if (typeof (option as Logger).child === 'function') return (option as Logger).child({ name: 'flowstore' });
  const { pino } = await import('pino');
  return pino(option as LoggerOptions);
}

/** Starts a store's engine and builds its parts; rejects as `openStore` documents. */
export async function openEngine(options: StoreOptions, openCopy: (file: string) => Promise<CopyTarget>, early?: EarlyWriter): Promise<{ engine: Engine; parts: StoreParts }> {
  const parsed = parseOptions(options);
  const { backend, location } = locate(parsed.path);
  const logger = await makeLogger(parsed.logger);
  const starting = Engine.start(backend, parsed, location, logger, early);
  // Loaded while the threads start; off the main thread, with every domain (see preloadParts).
  const facade = import('./facade.ts').then(async (loaded) => {
    if (!isMainThread) await loaded.preloadParts();
    return loaded;
  });
  facade.catch(() => {});
  const engine = await starting;
  let parts: StoreParts;
  try {
    parts = (await facade).storeParts(engine, openCopy);
  } catch (error) {
    await engine.close().catch(() => {});
    throw error;
  }
  logger.debug({ path: location.display }, 'flowstore open');
  return { engine, parts };
}
