/** The checkpointer thread: copies the WAL back into the database file beside the writer. */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerConfig } from '../src/engine/config.ts';
import { muteSqliteWarning } from '../src/engine/thread-warnings.ts';

muteSqliteWarning();
const { runCheckpointer } = await import('../src/engine/checkpointer-core.ts');

runCheckpointer(workerData as WorkerConfig, parentPort!);
