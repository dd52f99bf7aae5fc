/**
 * node:sqlite's errors, as flowstore codes. They are plain Errors carrying SQLite's
 * extended result code (`errcode`); `@types/node` does not declare it, hence the guard.
 *
 * @example
 * ```ts
 * toSqliteErrorData(error).code;   // 'FLOWSTORE_BUSY' for errcode 5 or 517
 * ```
 */
import { causeOf, toErrorData, type DriverErrors, type ErrorCode, type ErrorData } from '../../errors.ts';

export interface SqliteError extends Error {
  code: 'ERR_SQLITE_ERROR';
  errcode: number;
  errstr: string;
}

/** node:sqlite errors are plain Errors; `@types/node` does not declare `errcode`. */
export function isSqliteError(error: unknown): error is SqliteError {
  return error instanceof Error && (error as Partial<SqliteError>).code === 'ERR_SQLITE_ERROR'
    && typeof (error as Partial<SqliteError>).errcode === 'number';
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
export const SQLITE_FULL = 13;

/** Busy and locked, with every extended code (517 BUSY_SNAPSHOT, 261 BUSY_RECOVERY, 262 LOCKED_SHAREDCACHE…). */
export function isBusy(error: unknown): boolean {
  if (!isSqliteError(error)) return false;
  const primary = error.errcode & 0xff;
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
}

function codeForSqlite(errcode: number): ErrorCode {
  switch (errcode & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return 'FLOWSTORE_BUSY';
    case 19: // SQLITE_CONSTRAINT: unique (2067), primary key (1555), foreign key (787), check (275)
      return 'FLOWSTORE_CONFLICT';
    case 11: // SQLITE_CORRUPT
    case 26: // SQLITE_NOTADB
      return 'FLOWSTORE_CORRUPT';
    default:
      return 'FLOWSTORE_SQLITE';
  }
}

export const SQLITE_ERRORS: DriverErrors = {
  map(error: unknown): ErrorData | undefined {
    if (!isSqliteError(error)) return undefined;
    return { code: codeForSqlite(error.errcode), message: error.message, details: { errcode: error.errcode, errstr: error.errstr }, cause: causeOf(error) };
  },
  fallback: 'FLOWSTORE_SQLITE',
};

/** What a SQLite thread posts in place of an error it caught. */
export function toSqliteErrorData(error: unknown): ErrorData {
  return toErrorData(error, SQLITE_ERRORS);
}
