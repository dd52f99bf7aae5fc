/**
 * A reader thread's body, loaded by reader.cts: its read-only connection(s), opened when
 * the thread starts; the default export is Piscina's task handler.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import type { BackendThreads } from '../src/engine/backend.ts';
import type { WorkerConfig } from '../src/engine/config.ts';
import { READER_READY, type ReaderReady } from '../src/engine/protocol.ts';
import { lowerThreadPriority } from '../src/engine/thread-priority.ts';

const config = workerData as WorkerConfig;
// Reads run for the caller's thread: with readerNiceness set, it gets a busy machine's core first.
lowerThreadPriority(config.readerNiceness);
// The store's backend, and nothing of any other, is loaded here.
const threads = (await import(config.threads)) as BackendThreads;

const handler = await threads.createReader(config);
// Until the pool hears this, the writer serves the store's reads (src/engine/reader-client.ts).
parentPort!.postMessage({ t: READER_READY, threadId } satisfies ReaderReady);
export default handler;
