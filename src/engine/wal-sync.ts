/**
 * Durability 'full' without stalling the writer. Commits run with synchronous=NORMAL
 * (consistent, and safe against a process crash); when the main thread hears of a
 * commit it syncs the WAL file on its libuv pool, and settles the commit's operations
 * only after a sync that started after the commit has finished. Commits heard of while
 * one sync runs share the next: one sync per group, overlapped with the writer's work.
 * The sync is not the writer's job because the writer's event loop is busy running the
 * next batch, and a completion it cannot take delays every acknowledgement by a batch.
 */
import { closeSync, fdatasync, openSync } from 'node:fs';
import { FlowstoreError } from '../errors.ts';

type Ack = (error?: FlowstoreError) => void;

export class WalSyncer {
  readonly #walFile: string;
  #fd: number | undefined;
  #waiting: Ack[] = [];
  #syncing = false;
  #idle: (() => void)[] = [];

  constructor(walFile: string) {
    this.#walFile = walFile;
  }

  /** Calls `ack` once everything committed so far is on disk (or with the error if it could not be). */
  afterCommit(ack: Ack): void {
    this.#waiting.push(ack);
    if (!this.#syncing) this.#start();
  }

  /** Resolves when no acknowledgement is waiting for a sync. */
  whenIdle(): Promise<void> {
    if (!this.#syncing) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #start(): void {
    const covered = this.#waiting;
    this.#waiting = [];
    this.#syncing = true;
    let fd: number;
    try {
      // The store's connections keep the WAL file in place while they are open, so one fd serves.
      fd = this.#fd ??= openSync(this.#walFile, 'r+');
    } catch (cause) {
      this.#finish(covered, cause);
      return;
    }
    // fdatasync, as SQLite itself syncs a WAL: the data and the file size, not the timestamps.
    fdatasync(fd, (error) => this.#finish(covered, error ?? undefined));
  }

  #finish(covered: Ack[], cause: unknown): void {
    const error = cause === undefined ? undefined : new FlowstoreError('FLOWSTORE_SQLITE',
      `committed, but the WAL could not be synced to disk: ${(cause as Error).message}`, { details: { durability: 'full' }, cause });
    for (const ack of covered) ack(error);
    if (this.#waiting.length > 0) {
      this.#start();
    } else {
      this.#syncing = false;
      this.#idle.splice(0).forEach((resolve) => resolve());
    }
  }
}
