/**
 * The store's admin operations, on the main thread: each validates, sends one op (or
 * one transaction of them) and relays progress from the worker.
 *
 * @example
 * ```ts
 * await store.backup('./copy.db', { onProgress: (p) => console.log(p.remainingPages) });
 * await store.cleanup({ olderThanDays: 30 });
 * await store.exportJsonl(createWriteStream('dump.jsonl'));
 * ```
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import type { Engine } from '../../engine/engine.ts';
import type { CleanupOptions, CleanupResult } from './cleanup.ts';
import { FlowstoreError } from '../../errors.ts';
import { ChunkReceiver, channelName } from './channel.ts';
import { copyIntoSqliteFile, type CopyTarget } from './copy.ts';
import { importLines, type ImportProgress, type ImportSummary } from './import.ts';
import type { AppliedMigration, BackupProgress, PageProgress, TableStats } from './maintenance.ts';
import { admin } from './ops.ts';
import { writeChunk } from './output.ts';
import type { ExportChunk, ExportSummary } from './transfer.ts';

export type { CleanupOptions, CleanupResult } from './cleanup.ts';

export interface BackupOptions {
  /** Called on the main thread as pages (SQLite) or rows (PostgreSQL) are copied. */
  onProgress?: (progress: BackupProgress) => void;
  /** Replace `dest` when it exists (refused otherwise, with FLOWSTORE_CONFLICT). */
  overwrite?: boolean;
}

export interface ExportProgress {
  rows: number;
  /** Rows in the store when the export started (the export itself reads one snapshot). */
  totalRows: number;
}

export class AdminApi {
  readonly #engine: Engine;
  readonly #openCopy: (file: string) => Promise<CopyTarget>;

  /** `openCopy` opens a new SQLite store: a PostgreSQL store's backup is one (see copy.ts). */
  constructor(engine: Engine, openCopy: (file: string) => Promise<CopyTarget>) {
    this.#engine = engine;
    this.#openCopy = openCopy;
  }

  /** A server's store is backed up and compacted into a new SQLite file (its export, imported). */
  get #postgres(): boolean {
    return this.#engine.location.kind === 'server';
  }

  #sourceFile(): string | undefined {
    const { location } = this.#engine;
    return location.kind === 'file' ? resolve(location.target) : undefined;
  }

  #destination(dest: string, overwrite: boolean): string {
    if (typeof dest !== 'string' || dest === '') throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', 'dest: a file path is required', { details: { field: 'dest' } });
    const file = resolve(dest);
    if (file === this.#sourceFile()) throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', 'dest: is the store itself', { details: { field: 'dest' } });
    if (!overwrite && existsSync(file)) throw new FlowstoreError('FLOWSTORE_CONFLICT', `dest: ${file} exists`, { details: { field: 'dest', dest: file } });
    return file;
  }

  /**
   * Copies the live store to the file `dest`, from one snapshot, while writes go on: SQLite's
   * online backup, or for a PostgreSQL store a new SQLite file holding its export.
   */
  async backup(dest: string, options: BackupOptions = {}): Promise<{ dest: string; pages: number }> {
    const file = this.#destination(dest, options.overwrite === true);
    const { onProgress } = options;
    if (this.#postgres) {
      const { pages, rows } = await copyIntoSqliteFile(this, this.#openCopy, file, {
        overwrite: options.overwrite === true,
        onProgress: onProgress && ((done, total) => onProgress({ totalRows: total, remainingRows: total - done })),
      });
      onProgress?.({ totalRows: rows, remainingRows: 0 });
      return { dest: file, pages };
    }
    const channel = onProgress ? channelName('backup') : undefined;
    const receiver = channel ? new ChunkReceiver<PageProgress>(channel, (p) => onProgress!(p)) : undefined;
    try {
      const { pages } = await this.#engine.invoke(admin.ops.backup, { dest: file, channel });
      await receiver?.settle();
      onProgress?.({ totalPages: pages, remainingPages: 0 });
      return { dest: file, pages };
    } finally {
      receiver?.close();
    }
  }

  /** SQLite: rewrites the file without free pages; PostgreSQL: VACUUM (ANALYZE) of the store's tables. Alone on the writer, between batches. */
  vacuum(): Promise<void> {
    return this.#engine.invoke(admin.ops.vacuum, {});
  }

  /** Writes a compacted copy to a new file `dest` (which must not exist): VACUUM INTO, or a PostgreSQL store's SQLite copy. */
  async vacuumInto(dest: string): Promise<{ dest: string }> {
    const file = this.#destination(dest, false);
    if (this.#postgres) {
      await copyIntoSqliteFile(this, this.#openCopy, file, { overwrite: false });
      return { dest: file };
    }
    // VACUUM INTO writes through the store's VFS: an in-memory store must name the disk's.
    const target = this.#engine.location.kind === 'memory' ? `${pathToFileURL(file).href}?vfs=${process.platform === 'win32' ? 'win32' : 'unix'}` : file;
    await this.#engine.invoke(admin.ops.vacuumInto, { dest: target });
    return { dest: file };
  }

  /** Deletes finished work older than `olderThanDays` in every domain, in one transaction; never running work. */
  async cleanup(options: CleanupOptions): Promise<CleanupResult> {
    // Loaded when used: it stands on every domain's operations, which a store that never cleans up need not load.
    return (await import('./cleanup.ts')).cleanup(this.#engine, options);
  }

  /** Migrations recorded in the file, in order. */
  migrations(): Promise<AppliedMigration[]> {
    return this.#engine.invoke(admin.ops.migrations, {});
  }

  /** Row counts of every table and the file's page figures. */
  tableStats(): Promise<TableStats> {
    return this.#engine.invoke(admin.ops.tableStats, {});
  }

  /**
   * Writes every table as JSON lines to `output` (a stream, or a function given each
   * chunk of text), from one consistent snapshot; memory stays bounded by paging.
   */
  async exportJsonl(output: Writable | ((text: string) => void | Promise<void>), options: { onProgress?: (progress: ExportProgress) => void } = {}): Promise<ExportSummary> {
    const { onProgress } = options;
    const totalRows = onProgress ? (await this.tableStats()).tables.reduce((sum, t) => sum + t.rows, 0) : 0;
    let rows = 0;
    const channel = channelName('export');
    const receiver = new ChunkReceiver<ExportChunk>(channel, async (chunk) => {
      if (typeof output === 'function') await output(chunk.text);
      else await writeChunk(output, chunk.text);
      rows += chunk.rows;
      if (chunk.rows > 0) onProgress?.({ rows, totalRows: Math.max(rows, totalRows) });
    });
    try {
      let summary: ExportSummary;
      try {
        summary = await this.#engine.invoke(admin.ops.exportLines, { channel, backend: this.#postgres ? 'postgres' : 'sqlite' });
      } catch (error) {
        // When the output failed, that is the error worth reporting, not the reader's abort.
        await receiver.settle();
        throw error;
      }
      await receiver.settle();
      return summary;
    } finally {
      receiver.close();
    }
  }

  /**
   * Reads JSON lines written by {@link exportJsonl} into this store, which must be
   * empty, in one transaction: all of it, or nothing.
   */
  importJsonl(input: Readable | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, options: { onProgress?: (progress: ImportProgress) => void; timeoutMs?: number } = {}): Promise<ImportSummary> {
    return this.#engine.transaction((invoker) => invoker, (tx) => importLines(tx, input, options.onProgress), { timeoutMs: options.timeoutMs ?? 3_600_000 });
  }
}
