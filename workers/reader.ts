/**
 * A Piscina reader thread: one read-only connection, opened when the thread starts.
 * The top-level await is also why Piscina loads this module with import() rather than
 * require(): its require(esm) attempt fails cleanly on an asynchronous module.
 */
import { workerData } from 'node:worker_threads';
import type { WorkerConfig } from '../src/engine/config.ts';
import { createReader } from '../src/engine/reader-core.ts';

export default await createReader(workerData as WorkerConfig);
