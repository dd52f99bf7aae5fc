/** A Piscina reader thread: one read-only connection, opened when the thread starts. */
import { workerData } from 'node:worker_threads';
import type { WorkerConfig } from '../src/engine/config.ts';
import { createReader } from '../src/engine/reader-core.ts';

export default createReader(workerData as WorkerConfig);
