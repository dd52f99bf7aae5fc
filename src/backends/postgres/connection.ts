/**
 * One PostgreSQL connection as a worker owns it: opened with the store's session
 * settings (its schema first on the search path, UTC, the lock timeout), values parsed
 * into the shapes node:sqlite returns (numbers, SQLite-form time text), and statements
 * prepared by name once per connection. The writer's connection is pipelined: a query
 * goes out without waiting for the one before, so a batch of writes that need no answer
 * costs one round trip; `settle()` then says which of them failed first.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { toSqlTime } from '../../codec.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowstoreError, isFlowstoreError } from '../../errors.ts';
import { backoffMs } from '../../engine/backoff.ts';
import type { Statement } from '../../engine/op.ts';
import { connectionError, isConnectionError } from './errors.ts';

declare module '../../engine/op.ts' {
  /** A PostgreSQL domain prepares its statements on one of the thread's connections. */
  interface Connections {
    postgres: PgConnection;
  }
}

/** What a worker needs to reach the server (structured-clonable: it travels in workerData). */
export interface PgSettings {
  readonly url: string;
  readonly schema: string;
  readonly ssl: boolean | { readonly rejectUnauthorized?: boolean; readonly ca?: string };
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** How many connections each reader thread opens: its share of the pool. */
  readonly readerConnections: number;
  readonly applicationName: string;
}

const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

function int8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** The session runs in UTC, so the text always ends in +00: the SQLite form is the same instant. */
function time(text: string): string {
  return toSqlTime(new Date(`${text.replace(' ', 'T').replace(/\+00$/, '')}Z`));
}

/** Parsers for this connection only (not pg's global ones), so that rows read as node:sqlite's do. */
const types = {
  getTypeParser(oid: number, format?: string): unknown {
    if (format !== 'binary') {
      if (oid === INT8) return int8;
      if (oid === NUMERIC) return Number;
      if (oid === TIMESTAMP || oid === TIMESTAMPTZ) return time;
    }
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Opens a client, bounded by `connectTimeoutMs`, and sets the session up. */
export async function connectClient(settings: PgSettings, options: { pipeline: boolean; lockTimeoutMs: number }): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: settings.url,
    ssl: settings.ssl === false ? undefined : settings.ssl === true ? {} : { ...settings.ssl },
    connectionTimeoutMillis: settings.connectTimeoutMs,
    application_name: settings.applicationName,
    pipeline: options.pipeline,
    types,
  } as pg.ClientConfig);
  // A connection that dies while idle emits 'error'; the owner notices on its next query.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query({
      // The same settings on every connection of a store: PGlite's socket server runs them all in one session.
      text: `SELECT set_config('search_path', $1, false), set_config('TimeZone', 'UTC', false),
        set_config('lock_timeout', $2, false), set_config('statement_timeout', $3, false)`,
      values: [`${quoteIdentifier(settings.schema)}, public`, `${options.lockTimeoutMs}ms`, `${settings.statementTimeoutMs}ms`],
    });
    return client;
  } catch (cause) {
    await client.end().catch(() => {});
    throw isConnectionError(cause) ? connectionError(settings.url, cause) : cause;
  }
}

/**
 * {@link connectClient}, tried again while the server refuses or cannot be reached, until
 * `connectTimeoutMs` has passed: a server that restarts is waited for, one that is gone
 * is reported (FLOWSTORE_CONNECTION, naming host and port) within that bound.
 */
export async function connectWithRetry(settings: PgSettings, options: { pipeline: boolean; lockTimeoutMs: number }): Promise<pg.Client> {
  const deadline = Date.now() + settings.connectTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectClient(settings, options);
    } catch (error) {
      const wait = backoffMs(attempt) * 5;
      if (!isFlowstoreError(error) || error.code !== 'FLOWSTORE_CONNECTION' || Date.now() + wait >= deadline) throw error;
      await sleep(wait);
    }
  }
}

interface Issued {
  readonly seq: number;
  readonly op: number;
  readonly epoch: number;
  readonly done: Promise<unknown>;
}

/** The first statement of a batch that failed, and the operation that issued it. */
export interface Failure {
  readonly op: number;
  readonly error: unknown;
}

/** The server process of a client's session, as the server announced it: what a NOTIFY from it carries as `processId`. */
export function sessionPid(client: pg.Client): number | undefined {
  return (client as pg.Client & { processID?: number | null }).processID ?? undefined;
}

export class PgConnection {
  readonly client: pg.Client;
  /** The operation of the batch whose statements are being issued (set by the writer). */
  op = -1;
  /**
   * Which batch the statements being issued belong to (set by the writer): a batch's
   * statements may go out while the one before is still waiting for its COMMIT.
   */
  epoch = 0;
  /** Set when the connection broke; the owner replaces it. */
  lost = false;
  /**
   * A reader's connection carries many reads at once (see reader-core.ts); while `alone`,
   * the one operation running on it may open a transaction.
   */
  readonly shared: boolean;
  alone = false;
  #statements = 0;
  // Names unique to this connection: PGlite's socket server runs every connection in one session.
  readonly #prefix = `flowstore_${randomUUID().slice(0, 8)}`;
  #seq = 0;
  #issued: Issued[] = [];
  readonly #failures = new Map<number, Failure & { seq: number }>();

  constructor(client: pg.Client, options: { shared?: boolean } = {}) {
    this.client = client;
    this.shared = options.shared ?? false;
  }

  /** The server process of this session (see {@link sessionPid}). */
  get pid(): number | undefined {
    return sessionPid(this.client);
  }

  /**
   * Runs `work` in a read transaction begun with `begin`, rolled back after (nothing to
   * keep, and a SET the work made is undone with it). On a shared connection only an
   * operation declared `alone` may: another read's statements would land inside it.
   */
  async inReadTransaction<T>(begin: string, work: () => Promise<T>): Promise<T> {
    if (this.shared && !this.alone) throw new Error('a read that opens a transaction on a reader must be declared alone: true');
    await this.client.query({ text: begin, queryMode: 'extended' } as pg.QueryConfig);
    try {
      return await work();
    } finally {
      await this.client.query({ text: 'ROLLBACK', queryMode: 'extended' } as pg.QueryConfig).catch(() => {});
    }
  }

  /**
   * A statement prepared on this connection the first time it runs; `bytea` lists 1-based
   * parameters stored as bytes (a `bytea[]` parameter's elements too).
   */
  statement(text: string, options: { bytea?: readonly number[]; arrays?: boolean } = {}): Statement {
    return new PgStatement(this, `${this.#prefix}_${++this.#statements}`, text, options.bytea ?? [], options.arrays ?? false);
  }

  /** Runs text with no parameters (BEGIN, COMMIT, SAVEPOINT…), tracked like any statement. */
  exec(text: string): Promise<pg.QueryResult> {
    return this.query({ text, queryMode: 'extended' } as pg.QueryConfig);
  }

  /**
   * Runs a statement through the extended protocol (one statement, bound values): a named
   * one always goes that way; `exec` text says so with `queryMode`. pg copies the config
   * property by property, so it carries nothing more.
   */
  query(config: pg.QueryConfig): Promise<pg.QueryResult> {
    const seq = ++this.#seq;
    const { op, epoch } = this;
    const done = this.client.query(config);
    // A reader's operations await what they read; only the writer settles what it issued.
    if (this.shared) return done;
    // Tracked, so that a write nobody awaited still fails its batch, and never goes unhandled.
    done.catch((error: unknown) => {
      const first = this.#failures.get(epoch);
      if (first === undefined || seq < first.seq) this.#failures.set(epoch, { seq, op, error });
    });
    this.#issued.push({ seq, op, epoch, done });
    return done;
  }

  /**
   * Waits for what was issued (in `epoch` only, when given); the first failure in issue
   * order, if any.
   */
  async settle(epoch?: number): Promise<Failure | undefined> {
    const mine = epoch === undefined ? this.#issued : this.#issued.filter((i) => i.epoch === epoch);
    this.#issued = epoch === undefined ? [] : this.#issued.filter((i) => i.epoch !== epoch);
    await Promise.allSettled(mine.map((i) => i.done));
    let failure: (Failure & { seq: number }) | undefined;
    for (const [key, f] of this.#failures) {
      if (epoch !== undefined && key !== epoch) continue;
      if (!failure || f.seq < failure.seq) failure = f;
      this.#failures.delete(key);
    }
    return failure === undefined ? undefined : { op: failure.op, error: failure.error };
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}

/** A JSON value stored as bytes: text as UTF-8, a compressed value as it is (the codec tells them apart); each element of an array. */
function asBytes(value: unknown): unknown {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Array.isArray(value)) return value.map((v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v));
  return value;
}

function isScalar(value: unknown): boolean {
  return typeof value !== 'object' || value === null || value instanceof Uint8Array;
}

/** A scalar, bytes, or an array of them: pg binds an array as a PostgreSQL array, for multi-row statements through unnest(). */
function isBindable(value: unknown): boolean {
  return isScalar(value) || (Array.isArray(value) && value.every(isScalar));
}

class PgStatement implements Statement {
  readonly #conn: PgConnection;
  readonly #name: string;
  readonly #text: string;
  readonly #bytea: readonly number[];
  /** Rows as arrays of the columns in order (pg's `rowMode: 'array'`), as node:sqlite's `setReturnArrays`. */
  readonly #arrays: boolean;

  constructor(conn: PgConnection, name: string, text: string, bytea: readonly number[], arrays: boolean) {
    this.#conn = conn;
    this.#name = name;
    this.#text = text;
    this.#bytea = bytea;
    this.#arrays = arrays;
  }

  #values(params: unknown[]): unknown[] {
    for (const i of this.#bytea) params[i - 1] = asBytes(params[i - 1]);
    for (let i = 0; i < params.length; i++) {
      if (!isBindable(params[i])) {
        throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `parameter ${i + 1} cannot be bound`, { details: { parameter: i + 1 } });
      }
    }
    return params;
  }

  /** A write may be issued without awaiting it: the connection reports its failure, so the promise is marked handled. */
  #run<T>(params: unknown[], pick: (result: pg.QueryResult) => T): Promise<T> {
    const values = this.#values(params);
    const config: pg.QueryConfig = this.#arrays ? { name: this.#name, text: this.#text, values, rowMode: 'array' } as pg.QueryArrayConfig : { name: this.#name, text: this.#text, values };
    const result = this.#conn.query(config).then(pick);
    result.catch(() => {});
    return result;
  }

  run(...params: unknown[]): Promise<{ changes: number }> {
    return this.#run(params, (result) => ({ changes: result.rowCount ?? 0 }));
  }

  get(...params: unknown[]): Promise<Record<string, unknown> | undefined> {
    return this.#run(params, (result) => result.rows[0]);
  }

  all(...params: unknown[]): Promise<Record<string, unknown>[]> {
    return this.#run(params, (result) => result.rows);
  }
}
