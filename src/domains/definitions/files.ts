/**
 * The reader side of a refresh: lists the workflow files under the configured root,
 * hashes each, and parses (parse.ts) the TOML of those whose hash differs from the stored one.
 * Runs on a worker thread (never the caller's), synchronously, so that it also runs
 * inside an interactive transaction on the writer.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { notFound } from '../../errors.ts';
import type { parseWorkflow } from './parse.ts';
import type { ScannedFile } from './schema.ts';

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

/** Hashes every listed file; parses (with `parse`, parse.ts) only those whose hash is not the stored one. */
export function scanFiles(files: readonly ListedFile[], storedHashes: ReadonlyMap<string, string>, parse: typeof parseWorkflow): ScannedFile[] {
  const changed: ScannedFile[] = [];
  for (const { path, file } of files) {
    const bytes = readFileSync(file);
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (storedHashes.get(path) === hash) continue;
    const lastModified = statSync(file).mtime;
    const parsed = parse(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
    changed.push('error' in parsed
      ? { path, hash, lastModified, phases: null, error: parsed.error }
      : { path, hash, lastModified, phases: parsed.phases, error: null });
  }
  return changed;
}
