/**
 * A reader thread's body, loaded by reader.cts: its read-only connection(s), opened when
 * the thread starts; the default export is Piscina's task handler.
 */
import { workerData } from 'node:worker_threads';
import type { BackendThreads } from '../src/engine/backend.ts';
import type { WorkerConfig } from '../src/engine/config.ts';
import { lowerThreadPriority } from '../src/engine/thread-priority.ts';

const config = workerData as WorkerConfig;
// Reads run for the caller's thread: with readerNiceness set, it gets a busy machine's core first.
lowerThreadPriority(config.readerNiceness);
// The store's backend, and nothing of any other, is loaded here.
const threads = (await import(config.threads)) as BackendThreads;

export default await threads.createReader(config);
