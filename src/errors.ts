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
  'FLOWSTORE_LEASE_LOST',
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

/**
 * What a backend says about its driver's errors: the flowstore code of each it knows
 * (undefined for one it does not), and the code of any other error thrown where it runs.
 */
export interface DriverErrors {
  map(error: unknown): ErrorData | undefined;
  readonly fallback: ErrorCode;
}

/** Turns anything thrown in a worker into data that can be posted; `driver` reads its driver's errors. */
export function toErrorData(error: unknown, driver: DriverErrors): ErrorData {
  if (isFlowstoreError(error)) {
    return { code: error.code, message: error.message, details: error.details, cause: causeOf(error.cause) };
  }
  const mapped = driver.map(error);
  if (mapped) return mapped;
  const message = error instanceof Error ? error.message : String(error);
  return { code: driver.fallback, message, details: {}, cause: causeOf(error) };
}

/** The `cause` of an {@link ErrorData}: what can be posted of the original error. */
export function causeOf(error: unknown): ErrorData['cause'] {
  if (!(error instanceof Error)) return undefined;
  const { code, errcode, errstr } = error as Error & { code?: unknown; errcode?: number; errstr?: string };
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
