/** Reading export lines into a transaction, a bounded chunk at a time. */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { FlowstoreError } from '../../errors.ts';
import type { Invoker } from '../../engine/op.ts';
import { admin } from './ops.ts';
import { EXPORT_FORMAT } from './transfer.ts';

/** Rows sent to the writer per message: big enough to amortize the hop, small enough to stay light. */
const CHUNK_ROWS = 500;
const CHUNK_CHARS = 4 * 1024 * 1024;

export interface ImportProgress {
  rows: number;
  /** Bytes of input read so far (compare with the file's size for a percentage). */
  bytes: number;
}

export interface ImportSummary {
  tables: number;
  /** Rows imported. */
  rows: number;
  /** FTS indexes rebuilt from the imported rows. */
  rebuilt: string[];
  /**
   * Tables of the export that this store derives its own way, whose rows were not read in:
   * SQLite's FTS5 tables and `sqlite_sequence`, in a PostgreSQL store (its search vectors
   * and sequences follow the imported rows).
   */
  skipped: string[];
}

function bad(line: number, message: string): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `input: line ${line}: ${message}`, { details: { field: 'input', line } });
}

interface Current {
  table: string;
  columns: string[];
  derived: boolean;
  rows: unknown[][];
  chars: number;
  first: boolean;
}

export async function importLines(tx: Invoker, input: Readable | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, onProgress?: (progress: ImportProgress) => void): Promise<ImportSummary> {
  const stream = input instanceof Readable ? input : Readable.from(input);
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let bytes = 0;
  /** Rows read from the input (what its end line counts), and rows imported. */
  let read = 0;
  let rows = 0;
  let tables = 0;
  const skipped: string[] = [];
  let started = false;
  let ended = false;
  let current: Current | undefined;
  const seen = new Set<string>();

  const flush = async () => {
    if (!current || (current.rows.length === 0 && !current.first)) return;
    const { table, columns, derived, first } = current;
    const imported = await tx.invoke(admin.ops.importRows, { table, columns, rows: current.rows, first, derived });
    if (imported === null) {
      if (first) skipped.push(table);
    } else {
      rows += imported;
    }
    read += current.rows.length;
    current.rows = [];
    current.chars = 0;
    current.first = false;
    onProgress?.({ rows, bytes });
  };

  for await (const text of lines) {
    lineNo++;
    bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    if (ended) throw bad(lineNo, 'data after the end line');
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw bad(lineNo, 'not JSON');
    }
    if (typeof line !== 'object' || line === null) throw bad(lineNo, 'not an object');
    if (!started) {
      if (line.flowstore !== 'export' || line.format !== EXPORT_FORMAT || !Array.isArray(line.migrations)) throw bad(lineNo, 'not a flowstore export header');
      await tx.invoke(admin.ops.importBegin, { migrations: line.migrations as { version: number; name: string }[] });
      started = true;
    } else if (line.end === true) {
      await flush();
      if (line.rows !== read || line.tables !== tables) throw bad(lineNo, `the end line counts ${String(line.rows)} rows in ${String(line.tables)} tables, the file held ${read} in ${tables}`);
      ended = true;
    } else if (typeof line.table === 'string' && Array.isArray(line.columns)) {
      await flush();
      if (seen.has(line.table)) throw bad(lineNo, `table ${line.table} appears twice`);
      seen.add(line.table);
      tables++;
      current = { table: line.table, columns: line.columns as string[], derived: line.derived === true, rows: [], chars: 0, first: true };
    } else if (typeof line.table === 'string' && Array.isArray(line.values)) {
      if (!current || current.table !== line.table) throw bad(lineNo, `row of ${line.table} outside its table`);
      current.rows.push(line.values);
      current.chars += text.length;
      if (current.rows.length >= CHUNK_ROWS || current.chars >= CHUNK_CHARS) await flush();
    } else {
      throw bad(lineNo, 'unknown line');
    }
  }
  if (!started) throw bad(lineNo, 'empty input: no export header');
  if (!ended) throw bad(lineNo, 'the input ends before the end line (truncated?)');
  const rebuilt = await tx.invoke(admin.ops.importEnd, {});
  return { tables, rows, rebuilt, skipped };
}
