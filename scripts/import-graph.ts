/**
 * The import graph of the package's own code (src/ and workers/): every relative import,
 * static, type-only, re-exported or dynamic with a literal specifier, as edges between
 * files. test/imports.test.ts fails on an import circle and on an import the layout
 * forbids; run this file to print both.
 *
 * @example
 * ```sh
 * node scripts/import-graph.ts      # prints circles and forbidden imports, exits 1 if any
 * ```
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = /\.(c|m)?ts$/;
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Comments hold example imports: they are not edges. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** Each file of src/ and workers/ with the files it imports, paths relative to the repository. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of [...files('src'), ...files('workers')]) {
    const text = withoutComments(readFileSync(join(ROOT, file), 'utf8'));
    const targets = new Set<string>();
    for (const match of text.matchAll(IMPORT)) targets.add(relative(ROOT, resolve(ROOT, dirname(file), match[2]!)));
    graph.set(file, [...targets].filter((target) => SOURCE.test(target)));
  }
  return graph;
}

/** Every circle, as the files on it (Tarjan's strongly connected components of more than one file, or a file importing itself). */
export function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

/**
 * What the layout forbids: the engine and the ground every file stands on (errors,
 * options, codec) never import a backend; a backend never imports another backend.
 */
export function forbiddenImports(graph: Map<string, string[]>): string[] {
  const neutral = (file: string) => file.startsWith('src/engine/') || ['src/errors.ts', 'src/options.ts', 'src/codec.ts'].includes(file);
  const backendOf = (file: string) => /^src\/backends\/([^/]+)\//.exec(file)?.[1];
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const into = backendOf(target);
      if (into === undefined) continue;
      if (neutral(file)) wrong.push(`${file} imports ${target}: the engine names no backend`);
      const from = backendOf(file);
      if (from !== undefined && from !== into) wrong.push(`${file} imports ${target}: one backend never imports another`);
    }
  }
  return wrong;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const graph = importGraph();
  const problems = [...circles(graph).map((c) => `circle: ${c.join(' -> ')}`), ...forbiddenImports(graph)];
  for (const line of problems) console.log(line);
  console.log(`${graph.size} files, ${problems.length} problems`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
