/**
 * A reader thread's body, loaded by reader.cts: one read-only connection, opened when the
 * thread starts; the default export is Piscina's task handler.
 */
import { workerData } from 'node:worker_threads';
import type { WorkerConfig } from '../src/engine/config.ts';
import { muteSqliteWarning } from '../src/engine/thread-warnings.ts';

muteSqliteWarning();
const { createReader } = await import('../src/engine/reader-core.ts');

export default await createReader(workerData as WorkerConfig);
