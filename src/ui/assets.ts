/**
 * The page's files: ours from ./assets (shipped in the package, no build step), and the
 * libraries' from their installed dist folders (uPlot for charts, dagre for graph layout),
 * read once at start and served from memory.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));
const require = createRequire(import.meta.url);

function vendorFiles(): Record<string, string> {
  const dagreDist = dirname(require.resolve('@dagrejs/dagre'));
  return {
    '/vendor/uPlot.esm.js': require.resolve('uplot/dist/uPlot.esm.js'),
    '/vendor/uPlot.min.css': require.resolve('uplot/dist/uPlot.min.css'),
    '/vendor/dagre.esm.js': join(dagreDist, 'dagre.esm.js'),
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** Every file the page needs, by URL path; `/` is index.html. */
export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const add = (path: string, file: string) => assets.set(path, { body: readFileSync(file), type: TYPES[extname(file)] ?? 'application/octet-stream' });
  for (const file of walk(ASSETS_DIR)) add(`/${relative(ASSETS_DIR, file).split(sep).join('/')}`, file);
  for (const [path, file] of Object.entries(vendorFiles())) add(path, file);
  assets.set('/', assets.get('/index.html')!);
  return assets;
}
