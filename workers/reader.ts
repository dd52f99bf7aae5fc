/**
 * A Piscina reader thread: its read-only connection(s), opened when the thread starts.
 * The top-level await is also why Piscina loads this module with import() rather than
 * require(): its require(esm) attempt fails cleanly on an asynchronous module.
 */
import { workerData } from 'node:worker_threads';
import type { WorkerConfig } from '../src/engine/config.ts';

const config = workerData as WorkerConfig;
// Each backend's core is loaded only when it is the one in use.
export default config.backend === 'postgres'
  ? await (await import('../src/backends/postgres/reader-core.ts')).createPgReader(config)
  : await (await import('../src/engine/reader-core.ts')).createReader(config);
