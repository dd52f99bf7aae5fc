/**
 * A domain's input schemas as its operations name them, each made the first time it
 * validates. Validation happens on the caller's thread only: the worker threads, which load
 * a domain's operations to run them, never validate, and so never load the schema module
 * nor the schema library (~40 ms of a thread's start, paid before its first answer).
 *
 * On the caller's thread the module is loaded at its first validation, with `require` (of an
 * ES module, synchronous). A store opened off the main thread has it loaded before, by
 * `preloadParts` (src/facade.ts): there a `require` cut short by the thread's termination
 * would abort the process on Node 22.
 *
 * @example
 * ```ts
 * import type * as Schemas from './schema.ts';
 * const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');
 * export const runs = defineDomain('runs', preparers, { loadState: op({ kind: 'read', input: s.runIdInput, run }) });
 * ```
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { moduleBeside } from './worker-files.ts';

const requireModule = createRequire(import.meta.url);
/** The file URLs of the schema modules named by the operations loaded in this thread so far. */
const named = new Set<string>();

/**
 * The exports of the module `path` (no extension) beside `from`, each a stand-in for the
 * schema of that name (or, for an object of schemas, for each of its members) that loads the
 * module when it first validates.
 */
export function lazySchemas<M extends object>(from: string, path: string): M {
  const url = moduleBeside(from, path);
  named.add(url);
  let module: Record<string, unknown> | undefined;
  const load = () => (module ??= requireModule(fileURLToPath(url)) as Record<string, unknown>);
  return standIn(load, []) as M;
}

/**
 * The schema modules that the operations loaded in this thread name: what a store opened off
 * the main thread loads ahead, once it has loaded the operations (preloadParts, src/facade.ts).
 */
export function namedSchemaModules(): string[] {
  return [...named];
}

/** What `validate` (op.ts) asks of a schema: the one method it calls, on the real schema. */
function standIn(load: () => Record<string, unknown>, names: readonly string[]): unknown {
  let schema: z.ZodType | undefined;
  const safeParse = (input: unknown) => {
    schema ??= names.reduce<unknown>((value, name) => (value as Record<string, unknown>)[name], load()) as z.ZodType;
    return schema.safeParse(input);
  };
  return new Proxy({}, {
    get: (_, name) => (name === 'safeParse' ? safeParse : typeof name === 'string' ? standIn(load, [...names, name]) : undefined),
  });
}
