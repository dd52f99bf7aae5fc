/**
 * The options of {@link openStore}: one strict zod schema, each default named.
 *
 * @example
 * ```ts
 * const store = await openStore({ path: './runs.db', durability: 'full', readers: 2 });
 * const view = await openStore({ path: './runs.db', readOnly: true });   // never writes the file
 * ```
 */
import { z } from 'zod';
import type { Logger, LoggerOptions } from 'pino';
import { FlowstoreError } from './errors.ts';
import {
  DEFAULT_PATH, DEFAULT_READERS, DEFAULT_DURABILITY, DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_COMPRESSION_THRESHOLD_BYTES, DEFAULT_COMPRESSION_LEVEL, DEFAULT_TRANSACTION_TIMEOUT_MS, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_READ_ONLY, DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_WAITING, DEFAULT_READER_NICENESS, DEFAULT_WAL_SIZE_LIMIT_BYTES,
} from './defaults.ts';

export * from './defaults.ts';

const compressionSchema = z.union([
  z.literal(false),
  z.literal(true).transform(() => ({ thresholdBytes: DEFAULT_COMPRESSION_THRESHOLD_BYTES, level: DEFAULT_COMPRESSION_LEVEL })),
  z.number().int().nonnegative().transform((thresholdBytes) => ({ thresholdBytes, level: DEFAULT_COMPRESSION_LEVEL })),
  z.object({
    thresholdBytes: z.number().int().nonnegative().default(DEFAULT_COMPRESSION_THRESHOLD_BYTES),
    level: z.number().int().min(0).max(9).default(DEFAULT_COMPRESSION_LEVEL),
  }).strict(),
]);

function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null
    && typeof (value as Logger).info === 'function' && typeof (value as Logger).child === 'function';
}

/**
 * Every option but the backends' own (under each backend's name, such as `postgres`),
 * which `src/backends/index.ts` adds to make the schema `openStore` validates with.
 */
export const coreOptionsSchema = z.object({
  path: z.string().min(1).optional(),
  readers: z.number().int().min(1).max(64).default(DEFAULT_READERS),
  readerNiceness: z.number().int().min(0).max(19).default(DEFAULT_READER_NICENESS),
  durability: z.enum(['normal', 'full']).default(DEFAULT_DURABILITY),
  busyTimeoutMs: z.number().int().nonnegative().max(24 * 3600 * 1000).default(DEFAULT_BUSY_TIMEOUT_MS),
  compression: compressionSchema.default({ thresholdBytes: DEFAULT_COMPRESSION_THRESHOLD_BYTES, level: DEFAULT_COMPRESSION_LEVEL }),
  logger: z.union([z.custom<Logger>(isLogger), z.custom<LoggerOptions>((v) => typeof v === 'object' && v !== null && !isLogger(v))]).optional(),
  workflowPath: z.string().min(1).optional(),
  transactionTimeoutMs: z.number().int().positive().max(3600 * 1000).default(DEFAULT_TRANSACTION_TIMEOUT_MS),
  closeTimeoutMs: z.number().int().positive().default(DEFAULT_CLOSE_TIMEOUT_MS),
  /**
   * Readers only: no writer thread, migrations verified but never applied,
   * every write rejected with FLOWSTORE_READ_ONLY. For a file another process writes.
   */
  readOnly: z.boolean().default(DEFAULT_READ_ONLY),
  highWaterMark: z.number().int().min(1).default(DEFAULT_HIGH_WATER_MARK),
  maxWaiting: z.number().int().nonnegative().nullable().default(DEFAULT_MAX_WAITING),
  walSizeLimitBytes: z.number().int().nonnegative().default(DEFAULT_WAL_SIZE_LIMIT_BYTES),
}).strict();

/** The options every store has, parsed: what the engine reads. */
export type ParsedOptions = Readonly<z.output<typeof coreOptionsSchema>>;

/** Validates options against `schema`; a misspelled option is an error, never ignored. */
export function parseOptionsWith<Z extends z.ZodType>(schema: Z, options: unknown): Readonly<z.output<Z>> {
  const result = schema.safeParse(options ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'options');
    throw new FlowstoreError('FLOWSTORE_INVALID_OPTIONS', `${field}: ${issue.message}`, {
      details: { field, issues: result.error.issues },
    });
  }
  return Object.freeze(result.data) as Readonly<z.output<Z>>;
}
