/**
 * What a SQLite store's writer and reader threads load (see BackendThreads). node:sqlite
 * warns once per thread on Node 22; the warning is muted before anything loads it, which
 * is why the cores come through `import()`: a static import would link node:sqlite first.
 */
import type { BackendThreads } from '../../engine/backend.ts';
import type { SqliteSettings } from './settings.ts';
import { muteSqliteWarning } from './thread-warnings.ts';

muteSqliteWarning();

export const startWriter: BackendThreads<SqliteSettings>['startWriter'] = async (config, post, pull) =>
  (await import('./writer-core.ts')).SqliteWriterCore.start(config, post, pull);

export const createReader: BackendThreads<SqliteSettings>['createReader'] = async (config) =>
  (await import('./reader-core.ts')).createReader(config);

export const preloadWriter: BackendThreads<SqliteSettings>['preloadWriter'] = async () => {
  await import('./writer-core.ts');
};
