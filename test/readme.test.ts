/**
 * The README's examples run as written: every ```ts block, in order, in a child process
 * in an empty directory (imports of 'flowstore' point at the sources). The first block
 * opens the `store` the others use; each later block runs in its own scope.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

test('every TypeScript example in the README runs', (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  // A block that needs a server says so on its first line; the PostgreSQL suites cover what it shows.
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => !b.startsWith('// needs a PostgreSQL server'));
  assert.ok(blocks.length >= 7, 'the README has its examples');
  const dir = tempDir(t);
  // The definitions example reads ./workflows/etl.toml, whose text its comment shows.
  const toml = /\/\/ \.\/workflows\/etl\.toml:\n((?:\/\/ {3}.*\n)+)/.exec(readme)![1]!.replace(/^\/\/ {3}/gm, '');
  mkdirSync(join(dir, 'workflows'));
  writeFileSync(join(dir, 'workflows', 'etl.toml'), toml);
  const imports: string[] = [];
  const scopes = blocks.map((block, i) => {
    const body = block.replace(/^import .*$/gm, (line) => {
      imports.push(line.replace("'flowstore/aaow'", `'${join(root, 'src/aaow/index.ts')}'`).replace("'flowstore/ui'", `'${join(root, 'src/ui/index.ts')}'`)
        .replace("'flowstore/langgraph'", `'${join(root, 'src/langgraph/index.ts')}'`)
        .replace("'@langchain/langgraph'", `'${join(root, 'node_modules/@langchain/langgraph/dist/index.js')}'`).replace("'flowstore'", `'${join(root, 'src/index.ts')}'`));
      return '';
    });
    return i === 0 ? body : `{\n${body}\n}`;
  });
  const program = `${[...new Set(imports)].join('\n')}\n${scopes.join('\n')}\nconsole.log('readme ok');\nprocess.exit(0);\n`;
  writeFileSync(join(dir, 'readme.ts'), program);
  const out = execFileSync(process.execPath, ['readme.ts'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.match(out, /readme ok/);
});
