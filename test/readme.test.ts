/**
 * The examples of the README and of each docs/*.md page run as written: every ```ts block
 * of a page, in order, in one child process in an empty directory (imports of 'flowstore'
 * point at the sources). The README's first block opens the `store` the others use; so may
 * a page's, else the page's blocks run after a prelude that opens one on ./flowstore.db.
 * Each other block runs in a scope of its own. A block whose first line is
 * `// needs a PostgreSQL server` is not run: the PostgreSQL suites cover what it shows.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from './helpers.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

const NEEDS_SERVER = '// needs a PostgreSQL server';
/** A top-level block that opens `store` itself, as the README's first one does. */
const OPENS_STORE = /^const store = await openStore\(/m;
const PRELUDE = `const { openStore } = await import(${JSON.stringify(join(root, 'src/index.ts'))});\nconst store = await openStore({ path: './flowstore.db' });`;

/** The module a page's import names: flowstore's own entry points are its sources, the rest resolve from here. */
function moduleOf(specifier: string): string {
  if (specifier === 'flowstore') return join(root, 'src/index.ts');
  if (specifier.startsWith('flowstore/')) return join(root, 'src', specifier.slice('flowstore/'.length), 'index.ts');
  if (specifier.startsWith('node:')) return specifier;
  return import.meta.resolve(specifier);
}

/**
 * A static import becomes an awaited dynamic one, so that it is scoped to its block: two
 * blocks may import the same name, and no block sees another's.
 */
function withDynamicImports(block: string): string {
  return block.replace(/^import (.+?) from '([^']+)';(.*)$/gm, (_line, clause: string, specifier: string, rest: string) => {
    const target = JSON.stringify(moduleOf(specifier));
    const namespace = /^\* as (\w+)$/.exec(clause);
    if (namespace) return `const ${namespace[1]} = await import(${target});${rest}`;
    const named = /^(?:(\w+)\s*,\s*)?\{([^}]*)\}$/.exec(clause);
    const bindings = named ? named[2]!.split(',').map((b) => b.trim()).filter(Boolean).map((b) => b.replace(/^(\w+) as (\w+)$/, '$1: $2')) : [];
    const fallback = named ? named[1] : clause;
    if (fallback !== undefined) bindings.unshift(`default: ${fallback}`);
    return `const { ${bindings.join(', ')} } = await import(${target});${rest}`;
  });
}

/** The runnable ```ts blocks of a page. */
function examples(text: string): string[] {
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!).filter((b) => !b.startsWith(NEEDS_SERVER));
}

/**
 * The files a page's examples read, written into `dir`: a comment `// ./path:` followed by
 * lines `//   text` shows a file's text, as the definitions examples show their TOML.
 */
function writeShownFiles(text: string, dir: string): void {
  for (const [, path, body] of text.matchAll(/^\/\/ \.\/(\S+):\n((?:\/\/ {3}.*\n)+)/gm)) {
    const file = join(dir, path!);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, body!.replace(/^\/\/ {3}/gm, ''));
  }
}

/** The program a page's examples make: a store opened first, then each block in order. */
function program(blocks: readonly string[]): string {
  const [first, ...rest] = blocks.map(withDynamicImports);
  const opensStore = first !== undefined && OPENS_STORE.test(first);
  const scoped = (opensStore ? rest : blocks.map(withDynamicImports)).map((b) => `{\n${b}\n}`);
  return [opensStore ? first : PRELUDE, ...scoped, "console.log('examples ok');", 'process.exit(0);', ''].join('\n');
}

async function runExamples(t: TestContext, page: string, atLeast: number): Promise<void> {
  const text = readFileSync(join(root, page), 'utf8');
  const blocks = examples(text);
  assert.ok(blocks.length >= atLeast, `${page} has its examples`);
  const dir = tempDir(t);
  writeShownFiles(text, dir);
  writeFileSync(join(dir, 'examples.ts'), program(blocks));
  const { stdout } = await run(process.execPath, ['examples.ts'], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
  assert.match(stdout, /examples ok/);
}

test('every TypeScript example in the README runs', async (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.ok(OPENS_STORE.test(examples(readme)[0]!), "the README's first example opens the store the others use");
  await runExamples(t, 'README.md', 7);
});

const pages = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort();
for (const page of pages) {
  const blocks = examples(readFileSync(join(root, 'docs', page), 'utf8'));
  test(`every TypeScript example in docs/${page} runs`, { skip: blocks.length === 0 && 'no TypeScript example to run' }, (t) => runExamples(t, join('docs', page), 1));
}

test('a program runs its blocks in order, each import scoped to its block', () => {
  const opened = program(["import { openStore } from 'flowstore';\n\nconst store = await openStore({ path: './x.db' });\n", "import { isFlowstoreError as isError } from 'flowstore';\n"]);
  assert.match(opened, /^const \{ openStore \} = await import\(".*src\/index\.ts"\);\n\nconst store = await openStore\(\{ path: '\.\/x\.db' \}\);/);
  assert.match(opened, /\{\nconst \{ isFlowstoreError: isError \} = await import\(".*src\/index\.ts"\);\n\n\}/);
  assert.ok(!opened.includes("path: './flowstore.db'"), 'no prelude when the first block opens the store');
  const prelude = program(["import { startDashboard } from 'flowstore/ui';\nawait startDashboard({ store, port: 0 });\n"]);
  assert.ok(prelude.startsWith(PRELUDE), 'a page that does not open a store gets one');
  assert.match(prelude, /\{\nconst \{ startDashboard \} = await import\(".*src\/ui\/index\.ts"\);/);
});
