/**
 * A reader thread's body, loaded by reader.cts: its read-only connection(s), opened when
 * the thread starts; the default export is Piscina's task handler.
 */
import { workerData } from 'node:worker_threads';
import type { WorkerConfig } from '../src/engine/config.ts';
import { lowerThreadPriority } from '../src/engine/thread-priority.ts';
import { muteSqliteWarning } from '../src/engine/thread-warnings.ts';

muteSqliteWarning();
const config = workerData as WorkerConfig;
// Reads run for the caller's thread: with readerNiceness set, it gets a busy machine's core first.
lowerThreadPriority(config.readerNiceness);
// Each backend's core is loaded only when it is the one in use.
const handler = config.backend === 'postgres'
  ? (await import('../src/backends/postgres/reader-core.ts')).createPgReader(config)
  : (await import('../src/engine/reader-core.ts')).createReader(config);

export default await handler;
