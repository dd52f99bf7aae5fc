/**
 * The path forms of a PostgreSQL store: `postgres://` and `postgresql://` URLs. A path that
 * starts like one but is not (`postgres:test`, `postgresql:/x`, `postgres//host/db`) is an
 * error, never a file name: it would otherwise open a new SQLite file of that name.
 *
 * @example
 * ```ts
 * locatePostgres('postgres://app:secret@db/app').display;   // 'postgres://app:***@db/app'
 * ```
 */
import { FlowstoreError } from '../../errors.ts';
import type { Location } from '../../engine/backend.ts';

export const POSTGRES_FORMS = ['postgres://user@host:5432/database', 'postgresql://…'] as const;

const LOOKS_LIKE_POSTGRES = /^postgres(ql)?(:|\/\/)/i;
const URL_FORM = /^postgres(ql)?:\/\//i;

export function locatePostgres(raw: string): Location | undefined {
  if (!LOOKS_LIKE_POSTGRES.test(raw)) return undefined;
  if (!URL_FORM.test(raw) || !URL.canParse(raw) || new URL(raw).hostname === '') {
    const shown = URL.canParse(raw) ? redactUrl(raw) : JSON.stringify(raw);
    throw new FlowstoreError('FLOWSTORE_INVALID_OPTIONS', `path: ${shown} is not a PostgreSQL URL; give ${POSTGRES_FORMS[0]}`, {
      details: { field: 'path', accepted: POSTGRES_FORMS },
    });
  }
  return { backend: 'postgres', kind: 'server', target: raw, display: redactUrl(raw) };
}

/** The URL without its password, for messages and `store.path`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'a URL that does not parse';
  }
}
