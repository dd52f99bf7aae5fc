/**
 * The build's last step (`npm run build`): the compiled package loads zod from one file of
 * its own, dist/vendor/zod.js, which holds only the parts of zod its modules use.
 *
 * Importing zod itself loads 95 modules, 60 of them locales that every zod entry point
 * pulls in; that was the largest part of `openStore` on the caller's thread (~65 ms on a
 * slow day, with the compile cache) and of a store's first validation. The one file, built
 * here by rollup from the installed zod, loads in ~10 ms. The sources and the tests import
 * `zod` as usual, and the compiled types still name it (it stays a dependency, so the
 * types and this file come from the same version).
 *
 * Each compiled module that imports zod must do it as `import { z } from 'zod';` and use it
 * only as `z.member`: the build fails otherwise, and on a member zod does not export.
 *
 * @example
 * ```sh
 * node scripts/vendor-zod.ts dist   # after tsc; rewrites dist/**\/*.js, writes dist/vendor/zod.js
 * ```
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import ts from 'typescript';

const IMPORT = "import { z } from 'zod';";
const ENTRY = '\0flowstore-zod-entry';
const EXPECTED_WARNINGS = new Set(['CIRCULAR_DEPENDENCY', 'INVALID_ANNOTATION']);

const dist = process.argv[2] ?? 'dist';
const target = join(dist, 'vendor', 'zod.js');

/** The compiled modules that import zod, each with its text. */
function importers(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => ({ file: join(dir, file), text: readFileSync(join(dir, file), 'utf8') }))
    .filter(({ text }) => /from\s+['"]zod['"]/.test(text));
}

/**
 * The members of zod that `text` uses, as `z.member`; throws where it uses `z` otherwise
 * (passed on, indexed, or a name of its own), which would need members no scan can see.
 */
function membersUsed(file: string, text: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isIdentifier(node) && node.text === 'z') {
      const { parent } = node;
      if (ts.isPropertyAccessExpression(parent) && parent.expression === node) found.push(parent.name.text);
      else if (!(ts.isPropertyAccessExpression(parent) && parent.name === node) && !(ts.isPropertyAssignment(parent) && parent.name === node)) {
        const { line } = ts.getLineAndCharacterOfPosition(node.getSourceFile(), node.getStart());
        throw new Error(`${file}:${line + 1}: uses z other than as z.member`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS));
  return found;
}

const modules = importers(dist);
const members = new Set<string>();
for (const { file, text } of modules) {
  if (text.split(IMPORT).length !== 2) throw new Error(`${file}: imports zod other than as \`${IMPORT}\``);
  for (const member of membersUsed(file, text)) members.add(member);
}
if (members.size === 0) throw new Error(`no module under ${dist} imports zod`);

const zodEntry = fileURLToPath(import.meta.resolve('zod'));
const license = readFileSync(join(dirname(zodEntry), 'LICENSE'), 'utf8').trim();
const { version } = JSON.parse(readFileSync(join(dirname(zodEntry), 'package.json'), 'utf8')) as { version: string };
const bundle = await rollup({
  input: ENTRY,
  plugins: [{
    name: 'flowstore-zod-entry',
    resolveId: (id) => (id === ENTRY ? id : null),
    load: (id) => (id === ENTRY ? `export { ${[...members].sort().join(', ')} } from ${JSON.stringify(zodEntry)};` : null),
  }],
  // zod's own import cycles (which ES modules allow) and its comments meant for other
  // bundlers (dropped) are expected; anything else fails the build.
  onwarn: (warning) => {
    if (!EXPECTED_WARNINGS.has(warning.code ?? '')) throw new Error(`rollup: ${warning.message}`);
  },
});
const { output } = await bundle.generate({ format: 'es', banner: `/*!\n * zod ${version}, the parts flowstore uses (scripts/vendor-zod.ts).\n *\n${license.split('\n').map((line) => ` * ${line}`.trimEnd()).join('\n')}\n */` });
await bundle.close();
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, output[0].code);

for (const { file, text } of modules) {
  const path = relative(dirname(file), target);
  writeFileSync(file, text.replace(IMPORT, `import * as z from '${path.startsWith('.') ? path : `./${path}`}';`));
}
console.log(`vendor-zod: ${members.size} members of zod ${version} in ${target}, for ${modules.length} modules`);
