/**
 * Which Node flowstore runs on, checked by `openStore` before any thread starts.
 *
 * Each supported major starts at its first release that has both what flowstore uses of
 * `node:sqlite` (`backup()`, the `timeout` option, `isTransaction`, `setReturnArrays`,
 * `setReadBigInts`: all there since 22.16 and 24.0) and a bundled SQLite of 3.51.3 or
 * later, the release that fixed the WAL-reset bug: a database could be corrupted when
 * several connections write and checkpoint one WAL, which is what flowstore's writer,
 * checkpointer and readers do. Node 22.22.3 and 24.15.0 are the first to bundle it
 * (22.22.2 and 24.14.1 have 3.51.2); every 26 does. The odd majors are not maintained.
 *
 * @example
 * ```ts
 * assertSupportedRuntime({ node: '20.20.2' });   // throws FLOWSTORE_UNSUPPORTED_RUNTIME
 * ```
 */
import { FlowstoreError } from './errors.ts';

/** The first supported release of each major; the last major is open-ended. */
export const FIRST_SUPPORTED_RELEASES = ['22.22.3', '24.15.0', '26.0.0'] as const;

/** The oldest SQLite flowstore accepts, whether bundled or a distribution's shared library. */
export const MIN_SQLITE_VERSION = '3.51.3';

/** The same range as `engines.node` in package.json (a test keeps the two equal). */
export const SUPPORTED_NODE_RANGE = FIRST_SUPPORTED_RELEASES.map((release, i) =>
  i === FIRST_SUPPORTED_RELEASES.length - 1 ? `>=${release}` : `>=${release} <${major(release) + 1}`).join(' || ');

function parts(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10) || 0);
}

function major(version: string): number {
  return parts(version)[0]!;
}

/** Compares dotted versions numerically: negative when `a` is older. */
function compare(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function nodeSupported(node: string): boolean {
  const last = FIRST_SUPPORTED_RELEASES[FIRST_SUPPORTED_RELEASES.length - 1]!;
  if (major(node) >= major(last)) return compare(node, last) >= 0;
  const first = FIRST_SUPPORTED_RELEASES.find((release) => major(release) === major(node));
  return first !== undefined && compare(node, first) >= 0;
}

/**
 * Throws FLOWSTORE_UNSUPPORTED_RUNTIME unless `versions` (by default this process's) is a
 * supported Node with a recent enough SQLite; `details` names what is needed.
 */
export function assertSupportedRuntime(versions: { node: string; sqlite?: string | undefined } = process.versions): void {
  const { node, sqlite } = versions;
  const nodeOk = nodeSupported(node);
  const sqliteOk = sqlite !== undefined && compare(sqlite, MIN_SQLITE_VERSION) >= 0;
  if (nodeOk && sqliteOk) return;
  const found = `Node ${node} ${sqlite === undefined ? 'without node:sqlite' : `with SQLite ${sqlite}`}`;
  const wanted = FIRST_SUPPORTED_RELEASES.map((release, i) =>
    i === FIRST_SUPPORTED_RELEASES.length - 1 ? `or ${release} and later` : `${release} or a later ${major(release)}.x`).join(', ');
  throw new FlowstoreError('FLOWSTORE_UNSUPPORTED_RUNTIME',
    `flowstore needs Node ${wanted}, with SQLite ${MIN_SQLITE_VERSION} or later; this is ${found}`,
    { details: { node, sqlite: sqlite ?? null, requiredNode: SUPPORTED_NODE_RANGE, requiredSqlite: MIN_SQLITE_VERSION } });
}
