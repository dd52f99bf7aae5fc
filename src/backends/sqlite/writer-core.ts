/**
 * The writer thread's loop. Each batch (every write the main thread gathered while
 * the previous one was on its way) runs in one `BEGIN IMMEDIATE … COMMIT`. If one of
 * its operations fails, the batch is rolled back and run again with each operation
 * in its own SAVEPOINT, so that the failure rejects alone and the rest commit; results
 * are sent only after the commit (which, with durability 'full', has synced the WAL).
 * An interactive transaction holds the write lock across messages until it ends or
 * times out, while every other batch waits in the queue.
 */
import type { StatementSync } from 'node:sqlite';
import { FlowstoreError, type ErrorData } from '../../errors.ts';
import { loadDomainsOf } from '../../engine/handlers.ts';
import { loadMigrations } from '../../engine/migrate.ts';
import { OutcomeBuilder, unpackOps, type FromWriter, type OpResult, type Outcome, type ToWriter, type WireOp } from '../../engine/protocol.ts';
import { isSqliteError, SQLITE_FULL, toSqliteErrorData } from './errors.ts';
import { migrate } from './migrate.ts';
import { retryBusy } from './retry.ts';
import { Runtime } from './runtime.ts';
import type { SqliteConfig } from './settings.ts';
import type { WriterCore } from '../../engine/backend.ts';

/** A batch as the writer holds it: its operations unpacked. */
type Batch = Omit<Extract<ToWriter, { t: 'batch' }>, 'ops'> & { readonly ops: readonly WireOp[] };
type Message = Exclude<ToWriter, { t: 'batch' | 'listen' }> | Batch;

/** How many ended transactions the writer remembers, to answer their late messages with the right code. */
const ENDED_TX_REMEMBERED = 256;

function isDiskFull(error: unknown): boolean {
  return isSqliteError(error) && (error.errcode & 0xff) === SQLITE_FULL;
}

interface OpenTx {
  readonly id: number;
  readonly timer: NodeJS.Timeout;
  /** Set when the timeout fires while one of the transaction's batches is running: it ends after that batch. */
  expired?: ErrorData;
}

export class SqliteWriterCore implements WriterCore {
  readonly #runtime: Runtime;
  readonly #post: (message: FromWriter) => void;
  readonly #pull: () => ToWriter | undefined;
  readonly #queue: Message[] = [];
  readonly #endedTx = new Map<number, ErrorData>();
  readonly #savepoint: StatementSync;
  readonly #release: StatementSync;
  readonly #rollbackTo: StatementSync;
  #tx: OpenTx | undefined;
  #inTxBatch = false;
  #pumping = false;
  #closed = false;

  private constructor(runtime: Runtime, post: (message: FromWriter) => void, pull: () => ToWriter | undefined) {
    this.#runtime = runtime;
    this.#post = post;
    this.#pull = pull;
    this.#savepoint = runtime.db.prepare('SAVEPOINT op');
    this.#release = runtime.db.prepare('RELEASE op');
    this.#rollbackTo = runtime.db.prepare('ROLLBACK TO op');
  }

  /**
   * Opens the connection, migrates, prepares; then says ready. `pull` takes the next
   * message that has arrived, if any, without waiting for the event loop to deliver it.
   */
  static async start(config: SqliteConfig, post: (message: FromWriter) => void, pull: () => ToWriter | undefined): Promise<SqliteWriterCore | undefined> {
    let runtime: Runtime | undefined;
    try {
      // Another process (or store) creating the same new file may hold it while it turns on WAL.
      const stats = { busyRetries: 0 };
      runtime = await retryBusy(() => new Runtime(config, true), config.busyTimeoutMs, stats);
      const applied = await migrate(runtime.db, loadMigrations(config.migrationsDir), config.busyTimeoutMs, runtime.stats);
      runtime.prepare();
      const core = new SqliteWriterCore(runtime, post, pull);
      post({ t: 'ready', applied });
      return core;
    } catch (error) {
      runtime?.close();
      post({ t: 'fatal', error: toSqliteErrorData(error) });
      return undefined;
    }
  }

  receive(message: ToWriter): void {
    // SQLite tells a connection nothing of another process's commits: workers poll instead.
    if (message.t === 'listen') return this.#post({ t: 'done', id: message.id });
    this.#queue.push(message.t === 'batch' ? { ...message, ops: unpackOps(message.ops) } : message);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    // Let every message that already arrived join the queue before the batch is cut.
    setImmediate(() => void this.#pump());
  }

  async #pump(): Promise<void> {
    try {
      while (!this.#closed) {
        // What the main thread sent while the last batch committed (nearly always the next
        // batch) is taken at once: delivered by the event loop, it waited a turn and a
        // setImmediate, about 10 µs of the writer's time per batch.
        if (this.#queue.length === 0) this.#takeArrived();
        if (this.#queue.length === 0) break;
        if (this.#tx) {
          const txId = this.#tx.id;
          const index = this.#queue.findIndex((m) => (m.t === 'batch' || m.t === 'end') && m.tx === txId);
          if (index === -1) {
            // Only other work is queued: it waits for the transaction to end.
            if (this.#queue.some((m) => m.t === 'close')) this.#endTx(false);
            else break;
          } else {
            await this.#inTx(this.#queue.splice(index, 1)[0]!);
            if (this.#tx?.expired) this.#endTx(false, this.#tx.expired);
          }
          continue;
        }
        const message = this.#queue[0]!;
        if (message.t === 'batch' && message.standalone) {
          this.#queue.shift();
          await this.#standalone(message);
        } else if (message.t === 'batch' && message.tx === undefined) {
          this.#queue.shift();
          await this.#commit(message);
        } else if (message.t === 'begin') {
          this.#queue.shift();
          await this.#begin(message);
        } else if (message.t === 'close') {
          this.#queue.shift();
          this.#close(message.id);
        } else {
          // A message for a transaction that already ended (timed out, or finished).
          this.#queue.shift();
          this.#rejectStale(message);
        }
      }
    } finally {
      this.#pumping = false;
      if (this.#queue.length > 0 && !this.#waitingForTx()) this.#schedule();
    }
  }

  #takeArrived(): void {
    for (let message = this.#pull(); message !== undefined; message = this.#pull()) this.receive(message);
  }

  #waitingForTx(): boolean {
    const tx = this.#tx;
    return tx !== undefined && !this.#queue.some((m) => (m.t === 'batch' || m.t === 'end') && m.tx === tx.id);
  }

  /** Operations outside any transaction, one after another, each retried while busy: one SQLite refuses inside one (VACUUM), or reads while no reader has started. */
  async #standalone(batch: Batch): Promise<void> {
    const loading = loadDomainsOf(batch.ops);
    if (loading) await loading;
    const runtime = this.#runtime;
    const started = performance.now();
    const before = runtime.stats.busyRetries;
    const outcome = new OutcomeBuilder(batch.ops.length);
    for (const [i, { name, input }] of batch.ops.entries()) {
      let result: OpResult;
      try {
        const value = await retryBusy(() => {
          const { op, ctx } = runtime.handlers.lookup(name);
          return op.run(ctx, input);
        }, runtime.config.busyTimeoutMs, runtime.stats);
        result = { ok: true, value };
      } catch (error) {
        result = { ok: false, error: toSqliteErrorData(error) };
      }
      outcome.add(i, result);
    }
    const commitMs = performance.now() - started;
    const busyRetries = runtime.stats.busyRetries - before;
    this.#post({ t: 'results', id: batch.id, outcome: outcome.build(), commitMs, busyRetries });
  }

  /**
   * Group commit: a batch (every write the main thread gathered) in one transaction.
   * The two batches the main thread keeps in flight are committed one after the other,
   * not merged: merged, they would travel in lockstep, and the main thread and the
   * writer would take turns waiting for each other instead of working at once.
   */
  async #commit(batch: Batch): Promise<void> {
    const loading = loadDomainsOf(batch.ops);
    if (loading) await loading;
    const runtime = this.#runtime;
    const retriesBefore = runtime.stats.busyRetries;
    let outcome: Outcome;
    const started = performance.now();
    const begin = () => retryBusy(() => runtime.db.exec('BEGIN IMMEDIATE'), runtime.config.busyTimeoutMs, runtime.stats);
    try {
      await begin();
      try {
        let ran = await this.#runBare(batch.ops);
        if (!ran) {
          // An operation failed, and without savepoints its half-done work cannot be undone
          // alone: undo the batch, and run it again with a SAVEPOINT per operation. (Some
          // errors, a full disk among them, have already rolled the transaction back.)
          if (runtime.db.isTransaction) runtime.db.exec('ROLLBACK');
          const lost = new Map<number, OpResult>();
          do {
            await begin();
            ran = await this.#runIsolated(batch.ops, lost);
          } while (!ran);
        }
        outcome = ran;
        await retryBusy(() => runtime.db.exec('COMMIT'), runtime.config.busyTimeoutMs, runtime.stats);
      } catch (error) {
        if (runtime.db.isTransaction) runtime.db.exec('ROLLBACK');
        throw error;
      }
    } catch (error) {
      if (isDiskFull(error)) this.#reclaimWal();
      // The disk filled at COMMIT, where nothing tells which operation did not fit: each
      // commits alone instead, so that only what cannot fit fails.
      outcome = isDiskFull(error) && batch.ops.length > 1
        ? await this.#commitEach(batch.ops)
        : OutcomeBuilder.failed(batch.ops.length, toSqliteErrorData(error));
    }
    const commitMs = performance.now() - started;
    const busyRetries = runtime.stats.busyRetries - retriesBefore;
    this.#post({ t: 'results', id: batch.id, outcome, commitMs, busyRetries });
  }

  /** Runs and commits each operation in a transaction of its own (after a batch's COMMIT failed). */
  async #commitEach(ops: readonly WireOp[]): Promise<Outcome> {
    const runtime = this.#runtime;
    const outcome = new OutcomeBuilder(ops.length);
    for (let i = 0; i < ops.length; i++) {
      try {
        await retryBusy(() => runtime.db.exec('BEGIN IMMEDIATE'), runtime.config.busyTimeoutMs, runtime.stats);
        let result = runtime.handlers.run(ops[i]!.name, ops[i]!.input);
        if (result instanceof Promise) result = await result;
        if (result.ok) await retryBusy(() => runtime.db.exec('COMMIT'), runtime.config.busyTimeoutMs, runtime.stats);
        else if (runtime.db.isTransaction) runtime.db.exec('ROLLBACK');
        outcome.add(i, result);
      } catch (error) {
        if (runtime.db.isTransaction) runtime.db.exec('ROLLBACK');
        if (isDiskFull(error)) this.#reclaimWal();
        outcome.add(i, { ok: false, error: toSqliteErrorData(error) });
      }
    }
    return outcome.build();
  }

  /**
   * A write that failed for want of disk leaves the WAL file at its grown size, so
   * the disk stays full. Checkpointing and truncating it gives the space back.
   */
  #reclaimWal(): void {
    if (this.#runtime.config.settings.memory) return;
    try {
      this.#runtime.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch {
      // A reader's snapshot can hold the checkpoint back; the next failure tries again.
    }
  }

  /**
   * Runs a batch's operations without savepoints, and stops at the first that fails
   * (undefined). A SAVEPOINT per operation makes SQLite copy each page an operation
   * touches into a statement journal; in a batch of saves that was a sixth of the
   * writer's time. A batch where nothing fails, nearly every batch, does without.
   */
  async #runBare(ops: readonly WireOp[]): Promise<Outcome | undefined> {
    const { handlers } = this.#runtime;
    const outcome = new OutcomeBuilder(ops.length);
    for (let i = 0; i < ops.length; i++) {
      let result = handlers.run(ops[i]!.name, ops[i]!.input);
      // Every SQLite statement answers at once: only an async handler costs an await.
      if (result instanceof Promise) result = await result;
      if (!result.ok) return undefined;
      outcome.add(i, result);
    }
    return outcome.build();
  }

  /**
   * Runs operations each in its own SAVEPOINT, so that one that fails rejects alone and
   * leaves nothing behind. Some errors (a full disk, an I/O error) make SQLite roll the
   * whole transaction back, and with it what the operations before had done: such an
   * operation is set aside in `lost` with its error, and the result is undefined, for
   * the caller to begin again and rerun the others.
   */
  async #runIsolated(ops: readonly WireOp[], lost: Map<number, OpResult>): Promise<Outcome | undefined> {
    const { db, handlers } = this.#runtime;
    const outcome = new OutcomeBuilder(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const setAside = lost.get(i);
      if (setAside) {
        outcome.add(i, setAside);
        continue;
      }
      this.#savepoint.run();
      let result = handlers.run(ops[i]!.name, ops[i]!.input);
      if (result instanceof Promise) result = await result;
      if (!result.ok && !db.isTransaction) {
        lost.set(i, result);
        // A full disk: what the failed operation wrote to the WAL before it was rolled back
        // keeps the disk full for the others, unless the WAL gives it back first.
        this.#reclaimWal();
        return undefined;
      }
      if (!result.ok) this.#rollbackTo.run();
      this.#release.run();
      outcome.add(i, result);
    }
    return outcome.build();
  }

  async #begin(message: Extract<ToWriter, { t: 'begin' }>): Promise<void> {
    const runtime = this.#runtime;
    try {
      await retryBusy(() => runtime.db.exec('BEGIN IMMEDIATE'), runtime.config.busyTimeoutMs, runtime.stats);
    } catch (error) {
      this.#post({ t: 'done', id: message.id, error: toSqliteErrorData(error) });
      return;
    }
    const timer = setTimeout(() => {
      if (this.#tx?.id !== message.tx) return;
      const reason: ErrorData = { code: 'FLOWSTORE_TX_TIMEOUT', message: `transaction rolled back after ${message.timeoutMs} ms`, details: { timeoutMs: message.timeoutMs } };
      // A batch of the transaction may be between two statements: it ends once that batch has.
      if (this.#inTxBatch) {
        this.#tx.expired = reason;
        return;
      }
      this.#endTx(false, reason);
      if (this.#queue.length > 0) this.#schedule();
    }, message.timeoutMs);
    this.#tx = { id: message.tx, timer };
    this.#post({ t: 'done', id: message.id });
  }

  async #inTx(message: Message): Promise<void> {
    if (message.t === 'batch') {
      const loading = loadDomainsOf(message.ops);
      if (loading) await loading;
      const lost = new Map<number, OpResult>();
      this.#inTxBatch = true;
      let outcome: Outcome | undefined;
      try {
        outcome = await this.#runIsolated(message.ops, lost);
      } finally {
        this.#inTxBatch = false;
      }
      if (!outcome) {
        // SQLite rolled the caller's transaction back: it has ended, with that error.
        const failure = [...lost.values()][0] as Extract<OpResult, { ok: false }>;
        outcome = OutcomeBuilder.failed(message.ops.length, failure.error);
        this.#endTx(false, failure.error);
      }
      this.#post({ t: 'results', id: message.id, outcome, commitMs: 0, busyRetries: 0 });
    } else if (message.t === 'end') {
      const error = this.#endTx(message.commit);
      this.#post({ t: 'done', id: message.id, error });
    }
  }

  /** Commits or rolls back the open transaction; returns the error if the commit failed. */
  #endTx(commit: boolean, reason?: ErrorData): ErrorData | undefined {
    const tx = this.#tx!;
    clearTimeout(tx.timer);
    this.#tx = undefined;
    const db = this.#runtime.db;
    let error: ErrorData | undefined;
    try {
      db.exec(commit ? 'COMMIT' : 'ROLLBACK');
    } catch (cause) {
      error = toSqliteErrorData(cause);
      if (db.isTransaction) db.exec('ROLLBACK');
    }
    this.#endedTx.set(tx.id, reason ?? { code: 'FLOWSTORE_CLOSED', message: 'the transaction has ended', details: {} });
    // Late messages for a transaction come just after it ends (a timeout races the caller): a short memory does.
    if (this.#endedTx.size > ENDED_TX_REMEMBERED) this.#endedTx.delete(this.#endedTx.keys().next().value!);
    return error;
  }

  #rejectStale(message: Message): void {
    const tx = 'tx' in message && message.tx !== undefined ? message.tx : -1;
    const error = this.#endedTx.get(tx) ?? toSqliteErrorData(new FlowstoreError('FLOWSTORE_CLOSED', 'the transaction has ended'));
    if (message.t === 'batch') this.#post({ t: 'results', id: message.id, outcome: OutcomeBuilder.failed(message.ops.length, error), commitMs: 0, busyRetries: 0 });
    else this.#post({ t: 'done', id: message.id, error });
  }

  #close(id: number): void {
    this.#closed = true;
    const db = this.#runtime.db;
    try {
      if (db.isTransaction) db.exec('ROLLBACK');
      if (!this.#runtime.config.settings.memory) db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch {
      // A checkpoint blocked by a reader elsewhere is not a reason to fail the close.
    }
    this.#runtime.close();
    this.#post({ t: 'done', id });
  }
}
