/** What a PostgreSQL store's writer and reader threads load (see BackendThreads). */
import type { BackendThreads } from '../../engine/backend.ts';
import type { PgSettings } from './connection.ts';

export const startWriter: BackendThreads<PgSettings>['startWriter'] = async (config, post) =>
  (await import('./writer-core.ts')).PgWriterCore.start(config, post);

export const createReader: BackendThreads<PgSettings>['createReader'] = async (config) =>
  (await import('./reader-core.ts')).createPgReader(config);

export const preloadWriter: BackendThreads<PgSettings>['preloadWriter'] = async () => {
  await import('./writer-core.ts');
};
