/**
 * Tests write only under temporary directories. `npm test` runs this before the suite
 * (`snapshot`: every file of the repository, but node_modules, .git and dist) and after it
 * (`check`): a file the suite left in the repository fails the run, named.
 *
 * @example
 * ```sh
 * node scripts/tree-guard.ts snapshot && node --test … && node scripts/tree-guard.ts check
 * ```
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIPPED = new Set(['node_modules', '.git', 'dist']);
const SNAPSHOT = join(tmpdir(), `flowstore-tree-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.json`);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [relative(ROOT, path)];
  });
}

const command = process.argv[2];
if (command === 'snapshot') {
  writeFileSync(SNAPSHOT, JSON.stringify(files(ROOT)));
} else if (command === 'check') {
  const before = new Set(JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as string[]);
  // The bench's results are its output, ignored by git.
  const left = files(ROOT).filter((file) => !before.has(file) && !file.startsWith('bench/results/'));
  if (left.length > 0) {
    console.error(`the tests left files in the repository (they must write under a temporary directory):\n${left.map((f) => `  ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
} else {
  console.error('usage: node scripts/tree-guard.ts snapshot|check');
  process.exitCode = 2;
}
