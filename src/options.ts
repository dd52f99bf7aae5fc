/**
 * The options of {@link openStore}: one strict zod schema, each default named.
 *
 * @example
 * ```ts
 * const store = await openStore({ path: './runs.db', durability: 'full', readers: 2 });
 * const view = await openStore({ path: './runs.db', readOnly: true });   // never writes the file
 * ```
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { Logger, LoggerOptions } from 'pino';
import { FlowstoreError } from './errors.ts';

export const DEFAULT_PATH = './flowstore.db';
export const DEFAULT_READERS = Math.max(1, Math.min(4, availableParallelism()));
export const DEFAULT_DURABILITY = 'normal';
export const DEFAULT_BUSY_TIMEOUT_MS = 30_000;
export const DEFAULT_COMPRESSION_THRESHOLD_BYTES = 8 * 1024;
export const DEFAULT_COMPRESSION_LEVEL = 3;
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
/** A store opens for reading and writing unless told otherwise. */
export const DEFAULT_READ_ONLY = false;
/**
 * Operations of one kind (reads, writes, transactions) queued and in flight at once; past
 * it a call waits its turn, holding its input by reference. A million unawaited small
 * writes (test/flood.test.ts), all refused past the mark, grew the process by ~120 MB
 * with a mark of 1,024, ~170 MB with 8,192 and 205-255 MB with 16,384: what the mark
 * admits costs ~6 KB an operation in RSS (its live data and the garbage the heaps keep
 * beside it), ~50 MB at this default, far past what 64 or 1,000 in flight need.
 */
export const DEFAULT_HIGH_WATER_MARK = 8_192;
/**
 * How many calls of one kind may wait for room past the high-water mark before a call is
 * refused with FLOWSTORE_OVERLOADED; null, the default, never refuses. A waiting call
 * costs the store a promise reaction and three slots (~64 B): what grows under a flood is
 * the caller's own inputs and promises. 0 refuses every call past the mark.
 */
export const DEFAULT_MAX_WAITING = null;
/**
 * How much lower than the caller's thread the reader threads run (Linux nice steps; see
 * src/engine/thread-priority.ts). At 10, on a machine whose cores are all busy (the
 * readers, the writer, a database server beside them) the caller's event loop gets a core
 * first: while 16 ~200 KB values were read, the longest wait of a 1 ms timer went from
 * 20 ms to 10 ms outside GC pauses, and `runs.loadState` 64 in flight from 0.84 to 0.91
 * of raw. Off by default: a nice value is the machine's, not the process's, so the readers
 * would also yield to every other busy process, and on a machine loaded by other work they
 * get a tenth of a core (in CI, beside other test processes, a reader at 10 fell so far
 * behind that it finished a scan a test expected to interrupt).
 */
export const DEFAULT_READER_NICENESS = 0;
/**
 * What SQLite's `journal_size_limit` truncates the WAL file to once a checkpoint has copied
 * it back. Under a steady load the WAL cycles up to the writer's auto-checkpoint (16,000
 * pages, ~63 MiB); a limit below that makes every cycle shrink and regrow the file, which
 * cost durability 'full' about a fifth of its saves/s (A/B, 16 MiB: 15.0k vs 18.3k).
 */
export const DEFAULT_WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

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

/** The URL without its password, for messages and `store.path`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'a URL that does not parse';
  }
}

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
