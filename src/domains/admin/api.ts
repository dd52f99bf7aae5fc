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
import { z } from 'zod';
import type { Engine } from '../../engine/engine.ts';
import { FlowstoreError } from '../../errors.ts';
import { aaow } from '../aaow/ops.ts';
import { RETAINABLE_SESSION_STATUSES as AAOW_RETAINABLE } from '../aaow/schema.ts';
import { agents } from '../agents/ops.ts';
import { langgraph } from '../langgraph/ops.ts';
import { RETAINABLE_SESSION_STATUSES as AGENT_RETAINABLE } from '../agents/schema.ts';
import { runs } from '../runs/ops.ts';
import { queue } from '../queue/ops.ts';
import { RETAINABLE_JOB_STATES } from '../queue/schema.ts';
import { RETAINABLE_RUN_STATUSES } from '../runs/schema.ts';
import { ChunkReceiver, channelName } from './channel.ts';
import { copyIntoSqliteFile, type CopyTarget } from './copy.ts';
import { importLines, type ImportProgress, type ImportSummary } from './import.ts';
import type { AppliedMigration, BackupProgress, PageProgress, TableStats } from './maintenance.ts';
import { admin } from './ops.ts';
import { writeChunk } from './output.ts';
import type { ExportChunk, ExportSummary } from './transfer.ts';

export interface BackupOptions {
  /** Called on the main thread as pages (SQLite) or rows (PostgreSQL) are copied. */
  onProgress?: (progress: BackupProgress) => void;
  /** Replace `dest` when it exists (refused otherwise, with FLOWSTORE_CONFLICT). */
  overwrite?: boolean;
}

export interface CleanupOptions {
  /** Work not updated for this many days is deleted. */
  olderThanDays: number;
  /** Which finished statuses to delete; every status but running ones by default. */
  statuses?: string[];
  /** Failed jobs (store.queue's dead letters) are kept this many days instead: longer, to look into them. */
  failedJobsOlderThanDays?: number;
}

/** How many records each domain deleted, and the sum. */
export interface CleanupResult {
  /** Runs deleted (store.runs). */
  runs: number;
  /** Finished aaow sessions deleted, with their execution state, LLM executions, tool calls, approvals and events. */
  aaow: number;
  /** Ended agent sessions deleted (store.agents), with their events. */
  agents: number;
  /** LangGraph threads whose newest checkpoint is older than the cutoff, with their blobs and writes (none when `statuses` is given: threads have no status). */
  langgraph: number;
  /** Expired LangGraph memory items (FlowstoreStore) swept. */
  langgraphItems: number;
  /** Completed, cancelled and failed jobs deleted (store.queue); never a waiting or running one. */
  queue: number;
  total: number;
}

export interface ExportProgress {
  rows: number;
  /** Rows in the store when the export started (the export itself reads one snapshot). */
  totalRows: number;
}

/** Each domain's share of retention: the statuses it knows, and the op that deletes them. */
const RETENTION = [
  { domain: 'runs', statuses: RETAINABLE_RUN_STATUSES as readonly string[], op: runs.ops.cleanupRetention },
  { domain: 'aaow', statuses: AAOW_RETAINABLE as readonly string[], op: aaow.ops.cleanupRetention },
  { domain: 'agents', statuses: AGENT_RETAINABLE as readonly string[], op: agents.ops.cleanupRetention },
] as const;
const JOB_STATES = RETAINABLE_JOB_STATES as readonly string[];
const ALL_RETAINABLE = new Set([...RETENTION.flatMap((r) => r.statuses), ...JOB_STATES]);

const cleanupInput = z.object({
  olderThanDays: z.number().positive().max(1e6),
  statuses: z.array(z.string().refine((s) => ALL_RETAINABLE.has(s), { message: `must be one of ${[...ALL_RETAINABLE].join(', ')} (running work is never deleted)` })).min(1).optional(),
  failedJobsOlderThanDays: z.number().positive().max(1e6).optional(),
}).strict();

function invalidArgument(error: z.ZodError): FlowstoreError {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || 'input';
  return new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${field}: ${issue.message}`, { details: { field, issues: error.issues } });
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
    const parsed = cleanupInput.safeParse(options);
    if (!parsed.success) throw invalidArgument(parsed.error);
    const now = Date.now();
    const before = new Date(now - parsed.data.olderThanDays * 86_400_000);
    const failedBefore = new Date(now - (parsed.data.failedJobsOlderThanDays ?? parsed.data.olderThanDays) * 86_400_000);
    const wanted = (states: readonly string[]) => states.filter((s) => parsed.data.statuses?.includes(s) ?? true) as ('completed' | 'failed' | 'cancelled')[];
    return this.#engine.transaction((invoker) => invoker, async (tx) => {
      const result: CleanupResult = { runs: 0, aaow: 0, agents: 0, langgraph: 0, langgraphItems: 0, queue: 0, total: 0 };
      for (const share of RETENTION) {
        const statuses = share.statuses.filter((s) => parsed.data.statuses?.includes(s) ?? true);
        if (statuses.length === 0) continue;
        const deleted = await tx.invoke(share.op, { before, statuses: statuses as never });
        result[share.domain] += deleted;
        result.total += deleted;
      }
      const finished = wanted(['completed', 'cancelled']);
      if (finished.length > 0) result.queue += await tx.invoke(queue.ops.cleanupRetention, { before, states: finished });
      if (wanted(['failed']).length > 0) result.queue += await tx.invoke(queue.ops.cleanupRetention, { before: failedBefore, states: ['failed'] });
      result.total += result.queue;
      // A LangGraph thread has no status: a statuses filter names statuses it does not have, and leaves it alone.
      if (parsed.data.statuses === undefined) {
        result.langgraph = await tx.invoke(langgraph.ops.cleanupRetention, { before });
        result.langgraphItems = await tx.invoke(langgraph.ops.sweepItems, {});
        result.total += result.langgraph + result.langgraphItems;
      }
      return result;
    });
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
