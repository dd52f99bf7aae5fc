/**
 * The writer thread on PostgreSQL: one dedicated, pipelined connection. Each batch
 * (every write gathered while the last one was on its way) is sent as BEGIN, its
 * operations' statements and COMMIT without waiting in between, and acknowledged only
 * after COMMIT answers. When an operation fails, the transaction is gone, so the batch
 * runs again without it (no SAVEPOINT per operation: PostgreSQL slows every session
 * down past 64 subtransactions in one transaction). Conflicts between hosts (40001,
 * 40P01) run the batch again after a backoff. A connection lost before COMMIT was sent
 * rejects with FLOWSTORE_CONNECTION (nothing committed, safe to retry); lost after,
 * with FLOWSTORE_COMMIT_UNKNOWN: it is never reported committed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Codec } from '../../codec.ts';
import { FlowstoreError, type ErrorData } from '../../errors.ts';
import type { WriterCore } from '../../engine/backend.ts';
import type { WorkerConfig } from '../../engine/config.ts';
import { Handlers, loadDomainsOf, opNamed } from '../../engine/handlers.ts';
import { loadMigrations } from '../../engine/migrate.ts';
import { OutcomeBuilder, unpackOps, type FromWriter, type OpResult, type ToWriter, type WireOp } from '../../engine/protocol.ts';
import { backoffMs } from '../../engine/backoff.ts';
import { connectWithRetry, PgConnection, type PgSettings } from './connection.ts';
import { isConnectionError, isPgServerError, isRetryable, PG_ERRORS, toPgErrorData } from './errors.ts';
import { PgListener } from './listener.ts';
import { migratePostgres } from './migrate.ts';

/** Whether the operation sends every statement before it first awaits, for this input (see OpSpec.pipelined). */
function pipelines(name: string, input: unknown): boolean {
  const pipelined = opNamed(name)?.pipelined;
  return typeof pipelined === 'function' ? pipelined(input) : pipelined === true;
}

type Batch = Omit<Extract<ToWriter, { t: 'batch' }>, 'ops'> & { readonly ops: readonly WireOp[] };
/** `expire` is the writer's own: a transaction's timeout, queued so that it runs between batches. */
type Message = Exclude<ToWriter, { t: 'batch' | 'listen' }> | Batch | { readonly t: 'expire'; readonly tx: number; readonly timeoutMs: number };

const ENDED_TX_REMEMBERED = 256;
/** A batch that never began (the server had ended the session) runs again on a new connection, this many times. */
const MAX_RECONNECTS = 3;
/** pg's words for a query it refused to send on a connection it already knew was broken. */
const NOT_SENT = /not queryable|Client was closed|Connection terminated(?! unexpectedly)/i;

function commitUnknown(cause: unknown): ErrorData {
  return toPgErrorData(new FlowstoreError('FLOWSTORE_COMMIT_UNKNOWN',
    'the connection was lost after COMMIT was sent: the batch may or may not have committed', { cause }));
}

/**
 * An error a handler threw after awaiting a statement that failed only because an earlier
 * one had aborted the transaction (25P02): that earlier failure is the cause.
 */
function isAbortedEcho(error: ErrorData): boolean {
  return error.details.sqlstate === '25P02';
}

function connectionLost(cause: unknown): ErrorData {
  return toPgErrorData(new FlowstoreError('FLOWSTORE_CONNECTION', 'the connection to PostgreSQL was lost before COMMIT: nothing was committed', { cause }));
}

/** A batch on its way to being committed: what is left of it, and what became of the rest. */
interface Job {
  readonly batch: Batch;
  readonly started: number;
  readonly deadline: number;
  readonly results: (OpResult | undefined)[];
  remaining: number[];
  busyRetries: number;
  reconnects: number;
  outcome(): ReturnType<OutcomeBuilder['build']>;
}

function newJob(batch: Batch, busyTimeoutMs: number): Job {
  const results = new Array<OpResult | undefined>(batch.ops.length);
  return {
    batch, results, started: performance.now(), deadline: Date.now() + busyTimeoutMs,
    remaining: batch.ops.map((_, i) => i), busyRetries: 0, reconnects: 0,
    outcome() {
      const outcome = new OutcomeBuilder(batch.ops.length);
      results.forEach((result, i) => outcome.add(i, result ?? { ok: true, value: undefined }));
      return outcome.build();
    },
  };
}

/** A batch's statements as sent: on which connection and in which epoch, and the promises to wait for. */
interface Issued {
  readonly job: Job;
  readonly conn?: PgConnection;
  readonly epoch?: number;
  readonly begin?: Promise<unknown>;
  readonly commit?: Promise<unknown>;
  readonly values: Map<number, unknown>;
  readonly thrown?: { op: number; error: ErrorData };
  /** The connection could not be had: nothing was sent. */
  readonly unreachable?: ErrorData;
}

type Verdict =
  | { kind: 'committed'; values: Map<number, unknown> }
  | { kind: 'failed-all'; error: ErrorData }
  | { kind: 'conflict'; cause: unknown }
  | { kind: 'reconnect'; cause: unknown }
  | { kind: 'op-failed'; op: number; error: ErrorData };

export class PgWriterCore implements WriterCore {
  readonly #config: WorkerConfig<PgSettings>;
  readonly #settings: PgSettings;
  readonly #codec: Codec;
  readonly #post: (message: FromWriter) => void;
  readonly #queue: Message[] = [];
  readonly #endedTx = new Map<number, ErrorData>();
  #conn: PgConnection | undefined;
  #handlers: Handlers | undefined;
  #tx: { readonly id: number; readonly timer: NodeJS.Timeout } | undefined;
  #pumping = false;
  /** Wakes the commit loop when a message comes while it waits for a COMMIT's answer. */
  #arrived: (() => void) | undefined;
  #closed = false;
  #epochs = 0;
  #listener: PgListener | undefined;

  private constructor(config: WorkerConfig<PgSettings>, post: (message: FromWriter) => void) {
    this.#config = config;
    this.#settings = config.settings;
    this.#codec = new Codec(config.compression);
    this.#post = post;
  }

  /**
   * Migrates on a connection of its own (under the advisory lock) while the pipelined one
   * opens (it prepares nothing before the first operation), then says ready.
   */
  static async start(config: WorkerConfig<PgSettings>, post: (message: FromWriter) => void): Promise<PgWriterCore | undefined> {
    const core = new PgWriterCore(config, post);
    const connecting = core.#connect();
    // Awaited once migrated; a failure before then must not count as unhandled meanwhile.
    connecting.catch(() => {});
    try {
      const client = await connectWithRetry(core.#settings, { pipeline: false, lockTimeoutMs: config.busyTimeoutMs });
      let applied: number[];
      try {
        applied = await migratePostgres(client, core.#settings.schema, loadMigrations(config.migrationsDir));
      } finally {
        void client.end().catch(() => {});
      }
      await connecting;
      post({ t: 'ready', applied });
      return core;
    } catch (error) {
      await connecting.catch(() => {});
      await core.#conn?.close();
      post({ t: 'fatal', error: toPgErrorData(error) });
      return undefined;
    }
  }

  async #connect(): Promise<void> {
    const client = await connectWithRetry(this.#settings, { pipeline: true, lockTimeoutMs: this.#config.busyTimeoutMs });
    const conn = new PgConnection(client);
    client.on('error', () => { conn.lost = true; });
    client.on('end', () => { conn.lost = true; });
    this.#conn = conn;
    this.#handlers = new Handlers('postgres', conn, this.#codec, true, PG_ERRORS);
  }

  /** The connection, replaced when it was lost; throws FLOWSTORE_CONNECTION when the server cannot be reached. */
  async #live(): Promise<PgConnection> {
    if (this.#conn && !this.#conn.lost) return this.#conn;
    void this.#conn?.close();
    this.#conn = undefined;
    await this.#connect();
    return this.#conn!;
  }

  receive(message: ToWriter): void {
    if (message.t === 'listen') return void this.#listen(message);
    this.#queue.push(message.t === 'batch' ? { ...message, ops: unpackOps(message.ops) } : message);
    this.#arrived?.();
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (!this.#closed && this.#queue.length > 0) {
        const message = this.#next();
        if (!message) break;
        await this.#handle(message);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** The next message to handle: while a transaction is open, only its own (and a close) may go. */
  #next(): Message | undefined {
    const tx = this.#tx;
    if (!tx) return this.#queue.shift();
    const index = this.#queue.findIndex((m) => ('tx' in m && m.tx === tx.id && m.t !== 'begin') || m.t === 'close');
    return index === -1 ? undefined : this.#queue.splice(index, 1)[0];
  }

  async #handle(message: Message): Promise<void> {
    const tx = this.#tx;
    if (message.t === 'close') return this.#close(message.id);
    if (message.t === 'begin') return this.#begin(message);
    if (tx && 'tx' in message && message.tx === tx.id) {
      if (message.t === 'batch') return this.#inTx(message);
      if (message.t === 'end') return this.#post({ t: 'done', id: message.id, error: await this.#endTx(message.commit) });
      if (message.t === 'expire') {
        await this.#endTx(false, { code: 'FLOWSTORE_TX_TIMEOUT', message: `transaction rolled back after ${message.timeoutMs} ms`, details: { timeoutMs: message.timeoutMs } });
        return;
      }
    }
    if (message.t === 'batch' && message.tx === undefined) return message.standalone ? this.#standalone(message) : this.#commit(message);
    if (message.t !== 'expire') this.#rejectStale(message);
  }

  /**
   * Group commit of one batch, and of the batches queued behind it; see the file's header.
   * While a batch's COMMIT is on its way, the next batch (queued already, or the first to
   * come before the answer) follows it on the connection at once, BEGIN and statements,
   * so the server works on one while the other's answer travels; the
   * next batch's COMMIT goes only once the first has committed. When the first did not,
   * the next is rolled back and runs again after it: writes commit in the order they came.
   */
  async #commit(first: Batch): Promise<void> {
    const jobs: Job[] = [newJob(first, this.#config.busyTimeoutMs)];
    let current = await this.#issue(jobs[0]!, true);
    while (jobs.length > 0) {
      const job = jobs[0]!;
      let ahead: Promise<Issued> | undefined;
      const verdicted = this.#verdict(current);
      if (current.commit) {
        // A batch that comes while the COMMIT's answer travels goes out at once.
        await this.#following(jobs, verdicted);
        if (jobs.length > 1) ahead = this.#issue(jobs[1]!, false);
      }
      const verdict = await verdicted;
      const done = this.#apply(job, verdict);
      const next = ahead && (await ahead);
      if (done) {
        jobs.shift();
        this.#post({ t: 'results', id: job.batch.id, outcome: job.outcome(), commitMs: performance.now() - job.started, busyRetries: job.busyRetries });
      }
      if (next && done && verdict.kind === 'committed') {
        current = this.#issueCommit(next);
        continue;
      }
      if (next) await this.#abandon(next);
      if (verdict.kind === 'conflict' && !done) await sleep(Math.min(Math.max(0, job.deadline - Date.now()), backoffMs(job.busyRetries)));
      if (jobs.length > 0) current = await this.#issue(jobs[0]!, true);
    }
  }

  /**
   * Takes the next batch of the queue as the job after the first, waiting for one to come
   * until `until` settles; the writes of a store.transaction and the like are left queued.
   */
  async #following(jobs: Job[], until: Promise<unknown>): Promise<void> {
    let settled = false;
    const wake = () => {
      settled = true;
      this.#arrived?.();
    };
    until.then(wake, wake);
    while (jobs.length === 1) {
      const following = this.#queue[0];
      if (following?.t === 'batch' && following.tx === undefined && !following.standalone) {
        this.#queue.shift();
        jobs.push(newJob(following, this.#config.busyTimeoutMs));
        return;
      }
      // Anything else waits for its turn after this batch.
      if (settled || following !== undefined) return;
      await new Promise<void>((resolve) => { this.#arrived = resolve; });
      this.#arrived = undefined;
    }
  }

  /** Sends BEGIN and a job's remaining operations (and COMMIT, when `commit` and none failed at once). */
  async #issue(job: Job, commit: boolean): Promise<Issued> {
    const loading = loadDomainsOf(job.batch.ops);
    if (loading) await loading;
    let conn: PgConnection;
    try {
      conn = await this.#live();
    } catch (error) {
      return { job, unreachable: toPgErrorData(error), values: new Map() };
    }
    const handlers = this.#handlers!;
    const epoch = ++this.#epochs;
    const values = new Map<number, unknown>();
    let thrown: { op: number; error: ErrorData } | undefined;
    const settle = (i: number, result: OpResult): boolean => {
      if (result.ok) values.set(i, result.value);
      else thrown ??= { op: i, error: result.error };
      return result.ok;
    };
    // Answers of pipelined operations, awaited before COMMIT: one that fails then is not committed.
    const later: Promise<unknown>[] = [];
    conn.epoch = epoch;
    conn.op = -1;
    const begin = conn.exec('BEGIN');
    for (const i of job.remaining) {
      conn.epoch = epoch;
      conn.op = i;
      const { name, input } = job.batch.ops[i]!;
      const result = handlers.run(name, input);
      if (result instanceof Promise && pipelines(name, input)) later.push(result.then((r) => settle(i, r)));
      else if (!settle(i, result instanceof Promise ? await result : result)) break;
    }
    if (later.length > 0) await Promise.all(later);
    const issued: Issued = { job, conn, epoch, begin, values, thrown };
    return commit ? this.#issueCommit(issued) : issued;
  }

  /** COMMIT goes out behind the batch's statements, unless a handler already failed: what it did must not commit. */
  #issueCommit(issued: Issued): Issued {
    if (!issued.conn || issued.thrown) return issued;
    issued.conn.epoch = issued.epoch!;
    issued.conn.op = -1;
    return { ...issued, commit: issued.conn.exec('COMMIT') };
  }

  /** A batch sent ahead whose turn has not come: rolled back, to run again from the start. */
  async #abandon(issued: Issued): Promise<void> {
    const { conn, epoch } = issued;
    if (!conn) return;
    if (!conn.lost) {
      conn.epoch = epoch!;
      void conn.exec('ROLLBACK');
    }
    await conn.settle(epoch);
  }

  /** Waits for an issued batch and says what became of it. */
  async #verdict(issued: Issued): Promise<Verdict> {
    const { conn, epoch, begin, commit, thrown } = issued;
    if (!conn) return { kind: 'failed-all', error: issued.unreachable! };
    const failure = await conn.settle(epoch);
    if (failure && isConnectionError(failure.error)) {
      conn.lost = true;
      // The server answers in order: when it said BEGIN failed (it had ended the session), nothing after ran.
      if (isPgServerError(await begin!.then(() => undefined, (error: unknown) => error))) return { kind: 'reconnect', cause: failure.error };
      // Refused before it was written (the client already knew the connection was gone), COMMIT
      // was never sent; written, it may have committed even though no answer came.
      const commitError = commit ? await commit.then(() => undefined, (error: unknown) => error) : undefined;
      const sent = commit !== undefined && !(commitError instanceof Error && NOT_SENT.test(commitError.message));
      return { kind: 'failed-all', error: sent ? commitUnknown(failure.error) : connectionLost(failure.error) };
    }
    if (failure || thrown) {
      if (!commit) {
        conn.epoch = epoch!;
        void conn.exec('ROLLBACK');
        await conn.settle(epoch);
      }
      if (failure && isRetryable(failure.error)) return { kind: 'conflict', cause: failure.error };
      // A handler that awaited its failing statement and threw says what the failure means
      // (a missing parent row as FLOWSTORE_NOT_FOUND); otherwise the first failure in issue
      // order is the cause, and later ones only say the transaction was aborted.
      if (thrown && (!failure || failure.op === thrown.op) && !isAbortedEcho(thrown.error)) return { kind: 'op-failed', ...thrown };
      if (failure && failure.op >= 0) return { kind: 'op-failed', op: failure.op, error: toPgErrorData(failure.error) };
      if (thrown) return { kind: 'op-failed', ...thrown };
      return { kind: 'failed-all', error: toPgErrorData(failure!.error) };
    }
    return { kind: 'committed', values: issued.values };
  }

  /** Applies a verdict to its job; true when the job is done (committed, or given up). */
  #apply(job: Job, verdict: Verdict): boolean {
    switch (verdict.kind) {
      case 'committed':
        for (const [i, value] of verdict.values) job.results[i] = { ok: true, value };
        return true;
      case 'failed-all':
        for (const i of job.remaining) job.results[i] = { ok: false, error: verdict.error };
        return true;
      case 'reconnect':
        if (++job.reconnects <= MAX_RECONNECTS) return false;
        for (const i of job.remaining) job.results[i] = { ok: false, error: connectionLost(verdict.cause) };
        return true;
      case 'conflict': {
        if (Date.now() < job.deadline) {
          job.busyRetries++;
          return false;
        }
        const error = toPgErrorData(new FlowstoreError('FLOWSTORE_BUSY', `transactions of other sessions kept conflicting; gave up after ${this.#config.busyTimeoutMs} ms`, { cause: verdict.cause }));
        for (const i of job.remaining) job.results[i] = { ok: false, error };
        return true;
      }
      case 'op-failed':
        // It rejects alone; the others run again without it.
        job.results[verdict.op] = { ok: false, error: verdict.error };
        job.remaining = job.remaining.filter((i) => i !== verdict.op);
        return job.remaining.length === 0;
    }
  }

  /** VACUUM and the like, or reads while no reader has started: outside any transaction, one after another. */
  async #standalone(batch: Batch): Promise<void> {
    const loading = loadDomainsOf(batch.ops);
    if (loading) await loading;
    const started = performance.now();
    const outcome = new OutcomeBuilder(batch.ops.length);
    for (const [i, { name, input }] of batch.ops.entries()) {
      try {
        const conn = await this.#live();
        let result = this.#handlers!.run(name, input);
        if (result instanceof Promise) result = await result;
        const failure = await conn.settle();
        outcome.add(i, failure ? { ok: false, error: toPgErrorData(failure.error) } : result);
      } catch (error) {
        outcome.add(i, { ok: false, error: toPgErrorData(error) });
      }
    }
    this.#post({ t: 'results', id: batch.id, outcome: outcome.build(), commitMs: performance.now() - started, busyRetries: 0 });
  }

  async #begin(message: Extract<ToWriter, { t: 'begin' }>): Promise<void> {
    try {
      const conn = await this.#live();
      await conn.exec('BEGIN');
      await conn.settle();
    } catch (error) {
      this.#post({ t: 'done', id: message.id, error: toPgErrorData(error) });
      return;
    }
    const timer = setTimeout(() => this.receive({ t: 'expire', tx: message.tx, timeoutMs: message.timeoutMs } as never), message.timeoutMs);
    this.#tx = { id: message.tx, timer };
    this.#post({ t: 'done', id: message.id });
  }

  /**
   * A batch inside store.transaction: each operation in a SAVEPOINT, so that one that
   * fails rejects alone and the caller's transaction goes on, as on SQLite.
   */
  async #inTx(batch: Batch): Promise<void> {
    const loading = loadDomainsOf(batch.ops);
    if (loading) await loading;
    const conn = this.#conn!;
    const handlers = this.#handlers!;
    const outcome = new OutcomeBuilder(batch.ops.length);
    for (let i = 0; i < batch.ops.length; i++) {
      void conn.exec('SAVEPOINT op');
      let result = handlers.run(batch.ops[i]!.name, batch.ops[i]!.input);
      if (result instanceof Promise) result = await result;
      const failure = await conn.settle();
      if (failure && isConnectionError(failure.error)) {
        conn.lost = true;
        const error = connectionLost(failure.error);
        for (let j = i; j < batch.ops.length; j++) outcome.add(j, { ok: false, error });
        await this.#endTx(false, error);
        break;
      }
      if (failure || !result.ok) {
        void conn.exec('ROLLBACK TO SAVEPOINT op');
        // The handler's own error when it threw one for this failure, as in #verdict.
        if (failure && (result.ok || isAbortedEcho(result.error))) result = { ok: false, error: toPgErrorData(failure.error) };
      }
      void conn.exec('RELEASE SAVEPOINT op');
      await conn.settle();
      outcome.add(i, result);
    }
    this.#post({ t: 'results', id: batch.id, outcome: outcome.build(), commitMs: 0, busyRetries: 0 });
  }

  /** Commits or rolls back the open transaction; the error when the commit failed. */
  async #endTx(commit: boolean, reason?: ErrorData): Promise<ErrorData | undefined> {
    const tx = this.#tx!;
    clearTimeout(tx.timer);
    this.#tx = undefined;
    this.#endedTx.set(tx.id, reason ?? { code: 'FLOWSTORE_CLOSED', message: 'the transaction has ended', details: {} });
    if (this.#endedTx.size > ENDED_TX_REMEMBERED) this.#endedTx.delete(this.#endedTx.keys().next().value!);
    const conn = this.#conn!;
    if (conn.lost) return reason ?? connectionLost(undefined);
    const result = conn.exec(commit ? 'COMMIT' : 'ROLLBACK');
    const failure = await conn.settle();
    if (!failure) {
      // A COMMIT of a transaction that had failed answers ROLLBACK, not an error.
      return commit && (await result).command === 'ROLLBACK' ? toPgErrorData(new FlowstoreError('FLOWSTORE_CONFLICT', 'the transaction had failed and was rolled back')) : undefined;
    }
    if (isConnectionError(failure.error)) {
      conn.lost = true;
      return commit ? commitUnknown(failure.error) : undefined;
    }
    return toPgErrorData(failure.error);
  }

  #rejectStale(message: Message): void {
    const tx = 'tx' in message && message.tx !== undefined ? message.tx : -1;
    const error = this.#endedTx.get(tx) ?? toPgErrorData(new FlowstoreError('FLOWSTORE_CLOSED', 'the transaction has ended'));
    if (message.t === 'batch') this.#post({ t: 'results', id: message.id, outcome: OutcomeBuilder.failed(message.ops.length, error), commitMs: 0, busyRetries: 0 });
    else if (message.t === 'end' || message.t === 'begin') this.#post({ t: 'done', id: message.id, error });
  }

  /** Other sessions' NOTIFY on the topic's channel reach the caller's thread as `event` messages; this writer's own do not (see PgListener). */
  async #listen(message: Extract<ToWriter, { t: 'listen' }>): Promise<void> {
    this.#listener ??= new PgListener(this.#settings, (topic, payload) => this.#post({ t: 'event', topic, payload }), (pid) => pid === this.#conn?.pid);
    try {
      await this.#listener.listen(message.topic);
      this.#post({ t: 'done', id: message.id });
    } catch (error) {
      this.#post({ t: 'done', id: message.id, error: toPgErrorData(error) });
    }
  }

  async #close(id: number): Promise<void> {
    this.#closed = true;
    if (this.#tx) await this.#endTx(false);
    await this.#listener?.close();
    await this.#conn?.close();
    this.#post({ t: 'done', id });
  }
}

