/**
 * PostgreSQL's errors, as flowstore codes. The server answers with a SQLSTATE; a
 * connection that broke answers with a socket error or pg's own message instead.
 */
import { causeOf, FlowstoreError, toErrorData, type DriverErrors, type ErrorCode, type ErrorData } from '../../errors.ts';

export interface PgServerError extends Error {
  code: string;
  severity?: string;
  detail?: string;
  constraint?: string;
}

/** An error the server sent (it carries a five-character SQLSTATE). */
export function isPgServerError(error: unknown): error is PgServerError {
  return error instanceof Error && typeof (error as PgServerError).code === 'string'
    && /^[0-9A-Z]{5}$/.test((error as PgServerError).code) && 'severity' in error;
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** The connection is gone or never came: nothing sent on it can have committed after this. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  // 08: connection exception; 57P01–57P03: the server is shutting down or starting.
  if (isPgServerError(error)) return error.code.startsWith('08') || /^57P0[1-3]$/.test(error.code);
  return /Connection terminated|connection timeout|Client has encountered a connection error|Client was closed|not queryable/i.test(error.message);
}

/** A conflict between transactions that running the same work again resolves. */
export function isRetryable(error: unknown): boolean {
  return isPgServerError(error) && (error.code === '40001' || error.code === '40P01');
}

export function codeForSqlstate(sqlstate: string): ErrorCode {
  if (sqlstate.startsWith('23')) return 'FLOWSTORE_CONFLICT';
  if (sqlstate === '55P03' || sqlstate === '40001' || sqlstate === '40P01') return 'FLOWSTORE_BUSY';
  // 22: data exception (a NUL in text, a value out of range): the caller's value, not the store.
  if (sqlstate.startsWith('22')) return 'FLOWSTORE_INVALID_ARGUMENT';
  if (sqlstate.startsWith('08') || /^57P0[1-3]$/.test(sqlstate)) return 'FLOWSTORE_CONNECTION';
  if (sqlstate === 'XX001' || sqlstate === 'XX002') return 'FLOWSTORE_CORRUPT';
  return 'FLOWSTORE_POSTGRES';
}

export const PG_ERRORS: DriverErrors = {
  map(error: unknown): ErrorData | undefined {
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
    return undefined;
  },
  fallback: 'FLOWSTORE_POSTGRES',
};

/** What a PostgreSQL thread posts in place of an error it caught. */
export function toPgErrorData(error: unknown): ErrorData {
  return toErrorData(error, PG_ERRORS);
}

export function connectionError(url: string, cause: unknown): FlowstoreError {
  let host = '?';
  let port = 5432;
  try {
    const parsed = new URL(url);
    host = parsed.hostname || 'localhost';
    port = Number(parsed.port || 5432);
  } catch {
    // The options schema has checked the URL; a cause without one still gets a coded error.
  }
  return new FlowstoreError('FLOWSTORE_CONNECTION', `cannot reach PostgreSQL at ${host}:${port}: ${(cause as Error)?.message ?? String(cause)}`, {
    details: { host, port }, cause,
  });
}
