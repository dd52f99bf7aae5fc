/**
 * The reader side of a refresh: lists the workflow files under the configured root,
 * hashes each, and parses the TOML of those whose hash differs from the stored one.
 * Runs on a worker thread (never the caller's), synchronously, so that it also runs
 * inside an interactive transaction on the writer.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { notFound } from '../../errors.ts';
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH } from '../common.ts';
import { MAX_TEMPLATE_LENGTH, type LoadedPhase, type ScannedFile } from './schema.ts';

export interface ListedFile {
  /** Relative to the root with `/` separators; the file's name when the root is a file. */
  readonly path: string;
  /** Real path on disk, always inside the root. */
  readonly file: string;
}

function isInside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function isWorkflowFile(name: string): boolean {
  return name.toLowerCase().endsWith('.toml');
}

function walk(root: string, dir: string, prefix: string, seen: Set<string>, out: ListedFile[]): void {
  seen.add(dir);
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // Hidden entries are editor swap files, .git and the like, never workflows.
    if (entry.name.startsWith('.')) continue;
    const rel = prefix + entry.name;
    let real = join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      // A link is followed only when its target stays inside the root (no escape through `..`).
      const target = realOrUndefined(real);
      if (target === undefined || !isInside(root, target)) continue;
      const stats = statSync(target);
      real = target;
      isDir = stats.isDirectory();
      isFile = stats.isFile();
    }
    if (isDir) {
      if (!seen.has(real)) walk(root, real, `${rel}/`, seen, out);
    } else if (isFile && isWorkflowFile(entry.name)) {
      out.push({ path: rel, file: real });
    }
  }
}

/** Whether `root` is a directory; FLOWSTORE_NOT_FOUND when it does not exist. */
export function rootIsDir(root: string): boolean {
  const real = realOrUndefined(root);
  if (real === undefined) throw notFound('workflow path', root);
  return statSync(real).isDirectory();
}

/** Every workflow file under `root` (recursively), or `root` itself when it is a file. */
export function listWorkflowFiles(root: string): { isDir: boolean; files: ListedFile[] } {
  const real = realOrUndefined(root);
  if (real === undefined) throw notFound('workflow path', root);
  if (!statSync(real).isDirectory()) return { isDir: false, files: [{ path: basename(root), file: real }] };
  const files: ListedFile[] = [];
  walk(real, real, '', new Set(), files);
  return { isDir: true, files };
}

/**
 * PostgreSQL's text holds no NUL character (only TOML's `\u0000` escape makes one): a
 * field with one fails its own file, on every backend alike.
 */
const NO_NUL = [(v: string) => !v.includes('\0'), 'must not contain a NUL character'] as const;

// The same limits as the write op's input, so that an oversized field fails its own file only.
const phaseToml = z.object({
  task: z.string().trim().min(1).max(MAX_ID_LENGTH).refine(...NO_NUL),
  rule: z.string().max(MAX_TEXT_LENGTH).refine(...NO_NUL).default(''),
  dependsOn: z.string().max(MAX_TEXT_LENGTH).refine(...NO_NUL).optional(),
  depends_on: z.string().max(MAX_TEXT_LENGTH).refine(...NO_NUL).optional(),
  retry: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  template: z.string().max(MAX_TEMPLATE_LENGTH).refine(...NO_NUL).default(''),
});

const workflowToml = z.object({ phase: z.array(z.unknown()).default([]) });

/** The phases of one file, or the reason it cannot be loaded (a message naming the phase and field). */
export function parseWorkflow(text: string): { phases: LoadedPhase[] } | { error: string } {
  let document: unknown;
  try {
    document = parseToml(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return { error: `toml: ${(error as Error).message.split('\n')[0]!.slice(0, 1000)}` };
  }
  const workflow = workflowToml.safeParse(document);
  if (!workflow.success) return { error: 'phase: expected an array of [[phase]] tables' };
  const phases: LoadedPhase[] = [];
  const tasks = new Set<string>();
  for (const [index, raw] of workflow.data.phase.entries()) {
    const result = phaseToml.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      return { error: `phase ${index + 1}: ${issue.path.join('.') || 'phase'}: ${issue.message}` };
    }
    const { task, rule, dependsOn, depends_on: dependsOnSnake, retry, template } = result.data;
    // (file_path, task) is the table's key: a task twice in one file cannot be stored.
    if (tasks.has(task)) return { error: `phase ${index + 1}: duplicate task ${task}` };
    tasks.add(task);
    phases.push({ task, rule, dependsOn: (dependsOn ?? dependsOnSnake ?? '').trim(), retry, template });
  }
  return { phases };
}

/** Hashes every listed file; parses only those whose hash is not the stored one. */
export function scanFiles(files: readonly ListedFile[], storedHashes: ReadonlyMap<string, string>): ScannedFile[] {
  const changed: ScannedFile[] = [];
  for (const { path, file } of files) {
    const bytes = readFileSync(file);
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (storedHashes.get(path) === hash) continue;
    const lastModified = statSync(file).mtime;
    const parsed = parseWorkflow(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
    changed.push('error' in parsed
      ? { path, hash, lastModified, phases: null, error: parsed.error }
      : { path, hash, lastModified, phases: parsed.phases, error: null });
  }
  return changed;
}
