/**
 * The path forms a SQLite store is opened with: a file path, `:memory:`, and the URL forms
 * the seed systems use (`sqlite:x.db`, `sqlite::memory:`, `file:./x.db`,
 * `file::memory:?cache=shared`, `file:///abs/x.db`).
 *
 * @example
 * ```ts
 * locateSqlite('sqlite:runs.db');   // { backend: 'sqlite', kind: 'file', target: 'runs.db', display: 'runs.db' }
 * locateSqlite('redis://cache');    // undefined: not a SQLite form
 * ```
 */
import { FlowstoreError } from '../../errors.ts';
import type { Location } from '../../engine/backend.ts';

export const SQLITE_FORMS = ['a file path (./flowstore.db)', ':memory:', 'sqlite:<file>', 'sqlite::memory:', 'file:<file>', 'file::memory:'] as const;

/** A URL scheme: two characters or more, so that a Windows drive (`C:\x.db`) stays a path. */
const SCHEME = /^([a-z][a-z0-9+.-]+):/i;
const MEMORY_FORMS = new Set([':memory:', 'sqlite::memory:', 'file::memory:', 'file::memory:?cache=shared']);

function memory(): Location {
  return { backend: 'sqlite', kind: 'memory', target: '', display: ':memory:' };
}

export function locateSqlite(raw: string): Location | undefined {
  const scheme = SCHEME.exec(raw)?.[1]!.toLowerCase();
  if (scheme !== undefined && scheme !== 'sqlite' && scheme !== 'file') return undefined;
  if (MEMORY_FORMS.has(raw) || /^file::memory:(\?.*)?$/.test(raw) || /[?&]mode=memory(&|$)/.test(raw)) return memory();
  let file = raw;
  if (file.startsWith('sqlite://')) file = file.slice('sqlite://'.length);
  else if (file.startsWith('sqlite:')) file = file.slice('sqlite:'.length);
  else if (file.startsWith('file://')) file = decodeURIComponent(new URL(file).pathname);
  else if (file.startsWith('file:')) file = file.slice('file:'.length);
  const query = file.indexOf('?');
  if (query !== -1) file = file.slice(0, query);
  if (file === '') {
    throw new FlowstoreError('FLOWSTORE_INVALID_OPTIONS', `path: no file in ${JSON.stringify(raw)}`, { details: { field: 'path' } });
  }
  return { backend: 'sqlite', kind: 'file', target: file, display: file };
}
