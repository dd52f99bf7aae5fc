/**
 * `backup` and `vacuumInto` of a PostgreSQL store: there is no database file to copy,
 * so the copy is a SQLite file holding the same store, made by reading the store's
 * export (one snapshot, while writes go on) into a new SQLite store. It opens with
 * `openStore({ path: dest })` and goes back with `importJsonl` or `flowstore import`.
 * The file appears under its name only once it is whole.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import type { ImportSummary } from './import.ts';
import type { TableStats } from './maintenance.ts';
import type { ExportSummary } from './transfer.ts';

/** What the copy needs of the new SQLite store (a `Store`, opened by the caller). */
export interface CopyTarget {
  importJsonl(input: AsyncIterable<string | Uint8Array>): Promise<ImportSummary>;
  tableStats(): Promise<TableStats>;
  close(): Promise<void>;
}

export interface CopySource {
  exportJsonl(output: Writable, options: { onProgress?: (progress: { rows: number; totalRows: number }) => void }): Promise<ExportSummary>;
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

/** Copies `source` into a new SQLite file at `file` (replacing it when `overwrite`); resolves the copy's pages and rows. */
export async function copyIntoSqliteFile(
  source: CopySource,
  open: (file: string) => Promise<CopyTarget>,
  file: string,
  options: { overwrite: boolean; onProgress?: (rows: number, totalRows: number) => void },
): Promise<{ pages: number; rows: number }> {
  const partial = `${file}.partial-${randomUUID().slice(0, 8)}`;
  let target: CopyTarget | undefined;
  try {
    target = await open(partial);
    // The export writes into the pipe as the import reads it: memory stays bounded by the pipe's backpressure.
    const pipe = new PassThrough({ highWaterMark: 1024 * 1024 });
    const { onProgress } = options;
    const exporting = source.exportJsonl(pipe, { onProgress: onProgress && ((p) => onProgress(p.rows, p.totalRows)) })
      .then((summary) => { pipe.end(); return summary; }, (error: unknown) => { pipe.destroy(error as Error); throw error; });
    const importing = target.importJsonl(pipe).catch((error: unknown) => { pipe.destroy(error as Error); throw error; });
    const [exported, imported] = await Promise.allSettled([exporting, importing]);
    // When both failed, the export's error is the cause: the import only saw its input break off.
    if (exported.status === 'rejected') throw exported.reason;
    if (imported.status === 'rejected') throw imported.reason;
    const { pageCount } = await target.tableStats();
    await target.close();
    target = undefined;
    if (options.overwrite && existsSync(file)) removeDatabase(file);
    renameSync(partial, file);
    return { pages: pageCount, rows: imported.value.rows };
  } finally {
    await target?.close();
    removeDatabase(partial);
  }
}
