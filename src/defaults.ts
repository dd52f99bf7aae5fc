/**
 * The defaults of {@link openStore}'s options, named. Apart from the options' schema
 * (src/options.ts), so that importing flowstore loads no schema library.
 *
 * @example
 * ```ts
 * import { DEFAULT_READERS } from 'flowstore';
 * await openStore({ readers: Math.min(2, DEFAULT_READERS) });
 * ```
 */
import { availableParallelism } from 'node:os';

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
