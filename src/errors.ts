/**
 * Errors with stable codes. Workers cannot post class instances, so an error
 * crosses a thread as {@link ErrorData} and is rebuilt by {@link fromErrorData}.
 *
 * @example
 * ```ts
 * try { await store.runs.saveState('', {}) }
 * catch (e) { if (isFlowstoreError(e) && e.code === 'FLOWSTORE_INVALID_ARGUMENT') … }
 * ```
 */
import { codeForSqlstate, isConnectionError, isPgServerError } from './backends/postgres/errors.ts';

export const ERROR_CODES = [
  'FLOWSTORE_INVALID_ARGUMENT',
  'FLOWSTORE_INVALID_OPTIONS',
  'FLOWSTORE_NOT_FOUND',
  'FLOWSTORE_CONFLICT',
  'FLOWSTORE_BUSY',
  'FLOWSTORE_CLOSED',
  'FLOWSTORE_TX_TIMEOUT',
  'FLOWSTORE_MIGRATION',
  'FLOWSTORE_CORRUPT',
  'FLOWSTORE_WORKER_EXITED',
  'FLOWSTORE_SQLITE',
  'FLOWSTORE_POSTGRES',
  'FLOWSTORE_CONNECTION',
  'FLOWSTORE_COMMIT_UNKNOWN',
  'FLOWSTORE_READ_ONLY',
  'FLOWSTORE_OVERLOADED',
  'FLOWSTORE_UNSUPPORTED_RUNTIME',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const kFlowstoreError = Symbol.for('flowstore.error');

export class FlowstoreError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  // The brand survives two copies of the package in one process, unlike instanceof.
  readonly [kFlowstoreError] = true;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlowstoreError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True for every FlowstoreError, whichever copy of flowstore created it. */
export function isFlowstoreError(value: unknown): value is FlowstoreError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kFlowstoreError] === true;
}

/** What crosses a thread boundary in place of an error. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
  cause?: { name: string; message: string; code?: string; errcode?: number; errstr?: string };
}

interface SqliteError extends Error {
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

/** Busy and locked, with every extended code (517 BUSY_SNAPSHOT, 261 BUSY_RECOVERY, 262 LOCKED_SHAREDCACHE…). */
export function isBusy(error: unknown): boolean {
  if (!isSqliteError(error)) return false;
  const primary = error.errcode & 0xff;
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
}

function codeForSqlite(errcode: number): ErrorCode {
  const primary = errcode & 0xff;
  switch (primary) {
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

/** Turns anything thrown in a worker into data that can be posted. */
export function toErrorData(error: unknown): ErrorData {
  if (isFlowstoreError(error)) {
    return { code: error.code, message: error.message, details: error.details, cause: causeOf(error.cause) };
  }
  if (isPgServerError(error)) {
    return {
      code: codeForSqlstate(error.code),
      message: error.message,
      details: { sqlstate: error.code, ...(error.constraint ? { constraint: error.constraint } : {}) },
      cause: causeOf(error),
    };
  }
  if (isConnectionError(error)) {
    return { code: 'FLOWSTORE_CONNECTION', message: `the connection to PostgreSQL was lost: ${(error as Error).message}`, details: {}, cause: causeOf(error) };
  }
  if (isSqliteError(error)) {
    return {
      code: codeForSqlite(error.errcode),
      message: error.message,
      details: { errcode: error.errcode, errstr: error.errstr },
      cause: causeOf(error),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'FLOWSTORE_SQLITE', message, details: {}, cause: causeOf(error) };
}

function causeOf(error: unknown): ErrorData['cause'] {
  if (!(error instanceof Error)) return undefined;
  const { code, errcode, errstr } = error as Partial<SqliteError> & { code?: string };
  return { name: error.name, message: error.message, code: typeof code === 'string' ? code : undefined, errcode, errstr };
}

/** Rebuilds a FlowstoreError on the main thread from what a worker sent. */
export function fromErrorData(data: ErrorData): FlowstoreError {
  let cause: Error | undefined;
  if (data.cause) {
    cause = Object.assign(new Error(data.cause.message), data.cause);
  }
  return new FlowstoreError(data.code, data.message, { details: data.details, cause });
}

export function invalidArgument(field: string, message: string): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${field}: ${message}`, { details: { field } });
}

export function notFound(what: string, id: unknown): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_NOT_FOUND', `${what} not found: ${String(id)}`, { details: { what, id } });
}
