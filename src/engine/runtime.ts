/**
 * A worker's side of the engine: its one connection, every domain's statements
 * prepared on it once, and the lookup of an operation by name.
 */
import type { DatabaseSync } from 'node:sqlite';
import { Codec } from '../codec.ts';
import { FlowstoreError, toErrorData } from '../errors.ts';
import { DOMAINS } from '../domains/index.ts';
import type { WorkerConfig } from './config.ts';
import { openConnection } from './connection.ts';
import type { Op, OpContext } from './op.ts';
import type { OpResult } from './protocol.ts';
import type { RetryStats } from './retry.ts';

export class Runtime {
  readonly db: DatabaseSync;
  readonly codec: Codec;
  readonly writable: boolean;
  readonly stats: RetryStats = { busyRetries: 0 };
  readonly #handlers = new Map<string, { op: Op; ctx: OpContext<unknown> }>();

  readonly config: WorkerConfig;

  constructor(config: WorkerConfig, writable: boolean) {
    this.config = config;
    this.writable = writable;
    this.db = openConnection(config, !writable);
    this.codec = new Codec(config.compression);
  }

  /** Prepares every domain's statements; the schema must exist (the writer has migrated). */
  prepare(): void {
    for (const domain of DOMAINS) {
      const ctx: OpContext<unknown> = { db: this.db, sql: domain.prepare(this.db), codec: this.codec, writable: this.writable };
      for (const op of Object.values(domain.ops) as Op[]) this.#handlers.set(op.name, { op, ctx });
    }
  }

  lookup(name: string): { op: Op; ctx: OpContext<unknown> } {
    const handler = this.#handlers.get(name);
    if (!handler) throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `unknown operation ${name}`, { details: { op: name } });
    if (handler.op.kind === 'write' && !this.writable) {
      throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${name} writes and cannot run on a reader`, { details: { op: name } });
    }
    return handler;
  }

  /** Runs a synchronous operation; the writer calls this inside a savepoint. */
  runSync(name: string, input: unknown): OpResult {
    try {
      const { op, ctx } = this.lookup(name);
      const value = op.run(ctx, input);
      if (value instanceof Promise) {
        value.catch(() => {});
        throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${name} is asynchronous and cannot run inside a write transaction`);
      }
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toErrorData(error) };
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
