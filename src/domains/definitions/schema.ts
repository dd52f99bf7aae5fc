/** Inputs and records of store.definitions (seed 002): workflow files and their phases. */
import { z } from 'zod';
import { id, instant, MAX_ID_LENGTH, text } from '../common.ts';

/** Longest workflow path accepted, in characters. */
export const MAX_PATH_LENGTH = 4096;
/** Longest phase template accepted, in characters. */
export const MAX_TEMPLATE_LENGTH = 1_000_000;

/** One `[[phase]]` of a workflow file, as stored (Go's `workflow.Phase` plus where and how it stands). */
export interface Phase {
  /** The file it comes from, relative to the configured root. */
  path: string;
  /** `topic:job` or `topic`. */
  task: string;
  /** The part of `task` before the first `:`. */
  topic: string;
  /** The part of `task` after the first `:`, `''` when there is none. */
  job: string;
  /** URI query parameters, e.g. `cron=0 0 * * *&offset=1h`; `''` when absent. */
  rule: string;
  /** The task this phase runs after; `''` when it starts on its own rule. */
  dependsOn: string;
  retry: number;
  template: string;
  /** Validation message (error or warning), `''` when the phase is fine. */
  status: string;
}

/** A dependency edge, derived from `depends_on` as the document's query derives it. */
export interface Dependency {
  parentTask: string;
  childTask: string;
  path: string;
  childRule: string;
  childStatus: string;
}

/** A loaded workflow file, with the document's phase count and status summary. */
export interface WorkflowFile {
  path: string;
  /** sha256 of the file's bytes when it was last read. */
  hash: string;
  loadedAt: Date;
  lastModified: Date | null;
  phaseCount: number;
  phasesWithStatus: number;
  /** Why the last read could not be loaded (its previous phases are kept); `null` when it loaded. */
  error: string | null;
}

/** What a refresh changed, and which of those files could not be parsed. */
export interface RefreshReport {
  /** Files whose content changed, that appeared or that disappeared, in path order. */
  changed: string[];
  /** Changed files that failed to parse: their error is recorded, their old phases stay. */
  failed: { path: string; error: string }[];
}

export const loadedPhase = z.object({
  task: id,
  rule: text,
  dependsOn: text,
  retry: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  template: z.string().max(MAX_TEMPLATE_LENGTH),
}).strict();
export type LoadedPhase = z.output<typeof loadedPhase>;

const relativePath = z.string().min(1).max(MAX_PATH_LENGTH);

export const scannedFile = z.object({
  path: relativePath,
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  lastModified: instant,
  phases: z.array(loadedPhase).nullable(),
  error: text.nullable(),
}).strict().refine((f) => (f.phases === null) !== (f.error === null), { message: 'exactly one of phases and error', path: ['phases'] });
export type ScannedFile = z.input<typeof scannedFile>;

export interface ScanResult {
  isDir: boolean;
  changed: ScannedFile[];
  deleted: string[];
}

export const rootInput = z.object({ path: z.string().min(1).max(MAX_PATH_LENGTH) }).strict();
export const applyInput = z.object({ changed: z.array(scannedFile), deleted: z.array(relativePath) }).strict();
export const taskInput = z.object({ task: id, path: relativePath.optional() }).strict();
export const searchInput = z.object({ task: id, job: z.string().max(MAX_ID_LENGTH).optional() }).strict();
export const listPhasesInput = z.object({ withStatus: z.boolean().optional(), path: relativePath.optional() }).strict();
export const dependenciesInput = z.object({ parentTask: id.optional(), childTask: id.optional() }).strict();
export { emptyInput } from '../common.ts';
