/** The checkpointer thread of a SQLite file store: copies the WAL back into the database file beside the writer. */
import { parentPort, workerData } from 'node:worker_threads';
import type { SqliteConfig } from '../src/backends/sqlite/settings.ts';
import { muteSqliteWarning } from '../src/backends/sqlite/thread-warnings.ts';

muteSqliteWarning();
const { runCheckpointer } = await import('../src/backends/sqlite/checkpointer-core.ts');

runCheckpointer(workerData as SqliteConfig, parentPort!);
