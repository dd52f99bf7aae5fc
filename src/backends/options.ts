/**
 * The options `openStore` takes: every store's (src/options.ts), and each backend's own under
 * its name. Apart from src/backends/index.ts, so that locating a path loads no schema library.
 *
 * @example
 * ```ts
 * parseOptions({ path: 'postgres://app@db/app', postgres: { schema: 'runner' } }).postgres.schema;   // 'runner'
 * parseOptions({ pth: './x.db' });   // throws FLOWSTORE_INVALID_OPTIONS naming `pth`
 * ```
 */
import type { z } from 'zod';
import { coreOptionsSchema, parseOptionsWith } from '../options.ts';
import { postgresOptionsSchema } from './postgres/options.ts';

/** The schema `openStore` validates its options with: every store's, and each backend's under its name. */
export const optionsSchema = coreOptionsSchema.extend({
  /** Settings for a `postgres://` path; ignored by SQLite stores. */
  postgres: postgresOptionsSchema.default(postgresOptionsSchema.parse({})),
}).strict();

export type StoreOptions = z.input<typeof optionsSchema>;
export type StoreParsedOptions = Readonly<z.output<typeof optionsSchema>>;

/** Validates options; a misspelled option is FLOWSTORE_INVALID_OPTIONS, never ignored. */
export function parseOptions(options: unknown): StoreParsedOptions {
  return parseOptionsWith(optionsSchema, options);
}
