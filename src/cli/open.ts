/**
 * Finding and opening the database a command names: the positional argument, else
 * FLOWSTORE_DB (then DATABASE_URL, then ./flowstore.db, as openStore does). A command
 * that reads never creates a file: a missing path or a file that is not SQLite is an error.
 * A `postgres://` URL works wherever a file does.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { FlowstoreError, isFlowstoreError } from '../errors.ts';
import { locate } from '../backends/index.ts';
import { openStore, type Store } from '../store.ts';
import { UsageError, type CommandIo } from './command.ts';

const SQLITE_HEADER = 'SQLite format 3\0';

export function databasePath(positional: string | undefined, io: CommandIo): string {
  return positional ?? io.env.FLOWSTORE_DB ?? io.env.DATABASE_URL ?? './flowstore.db';
}

/** Where `path` is; a path no backend serves is bad usage (exit 2), naming the forms that are. */
function located(path: string) {
  try {
    return locate(path, {}).location;
  } catch (error) {
    if (isFlowstoreError(error) && error.code === 'FLOWSTORE_INVALID_OPTIONS') throw new UsageError(error.message);
    throw error;
  }
}

/** Throws FLOWSTORE_NOT_FOUND or FLOWSTORE_CORRUPT before anything would create or change the file. */
export function checkDatabaseFile(path: string): void {
  const location = located(path);
  // A server is checked by connecting to it: openStore says FLOWSTORE_CONNECTION when it cannot.
  if (location.kind !== 'file') return;
  let size: number;
  try {
    const stats = statSync(location.target);
    if (!stats.isFile()) throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${location.target} is not a file`, { details: { field: 'db' } });
    size = stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FlowstoreError('FLOWSTORE_NOT_FOUND', `no database at ${location.target}`, { details: { path: location.target } });
    }
    throw error;
  }
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(location.target, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (size < SQLITE_HEADER.length || header.toString('latin1') !== SQLITE_HEADER) {
    throw new FlowstoreError('FLOWSTORE_CORRUPT', `${location.target} is not a SQLite database`, { details: { path: location.target } });
  }
}

/**
 * Opens the store for a command; `create` allows a new file (import does), `readOnly`
 * opens it with no writer (ui does); `schema` is a PostgreSQL store's.
 */
export async function openForCommand(path: string, options: { create?: boolean; readOnly?: boolean; schema?: string } = {}): Promise<Store> {
  if (located(path).kind !== 'server' && options.schema !== undefined) {
    throw new UsageError('--schema is for a postgres:// database');
  }
  if (!options.create) checkDatabaseFile(path);
  return openStore({
    path, readers: 2, readOnly: options.readOnly ?? false,
    ...(options.schema === undefined ? {} : { postgres: { schema: options.schema } }),
  });
}
