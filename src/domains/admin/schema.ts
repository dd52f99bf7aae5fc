/**
 * The inputs of the store-wide operations (admin/ops.ts, maintenance.ts, transfer.ts),
 * loaded on the caller's thread when one first validates: the worker threads run these
 * operations without loading them.
 */
import { z } from 'zod';

/** Pages copied per backup step: small enough for a steady progress report. */
export const BACKUP_PAGES_PER_STEP = 256;
/** The most rows one page of an export reads. */
const MAX_PAGE_ROWS = 10_000;

const bindable = z.union([z.string(), z.number(), z.bigint(), z.null(), z.custom<Uint8Array>((v) => v instanceof Uint8Array)]);
const file = z.string().min(1).max(4096);
const migrationRef = z.object({ version: z.number().int().positive(), name: z.string() }).strip();

export const queryInput = z.object({
  sql: z.string().min(1).max(1_000_000),
  params: z.union([z.array(bindable), z.record(z.string(), bindable)]).default([]),
}).strict();

export { emptyInput } from '../common.ts';

export const backupInput = z.object({
  dest: file,
  channel: z.string().max(200).optional(),
  pagesPerStep: z.number().int().min(1).max(1_000_000).default(BACKUP_PAGES_PER_STEP),
}).strict();

export const vacuumIntoInput = z.object({ dest: file }).strict();

export const exportInput = z.object({
  channel: z.string().min(1).max(200),
  pageRows: z.number().int().min(1).max(MAX_PAGE_ROWS).default(500),
  backend: z.enum(['sqlite', 'postgres']),
}).strict();

export const importBeginInput = z.object({ migrations: z.array(migrationRef) }).strict();

export const importRowsInput = z.object({
  table: z.string().min(1).max(512),
  columns: z.array(z.string().min(1).max(512)).min(1),
  rows: z.array(z.array(z.unknown())),
  /** The table's first chunk: rows that triggers made while earlier tables were imported go first. */
  first: z.boolean().default(false),
  /** The export says the source derived this table from the others (see TableInfo.derived). */
  derived: z.boolean().default(false),
}).strict();
