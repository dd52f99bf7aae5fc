/**
 * OpenWorkflow's list pagination: opaque cursors (base64 of `{ createdAt, id }`, the
 * form its own backends hand out, so a cursor from one is read by the other), pages of
 * `limit` rows in (createdAt, id) order, ties broken by id.
 */
import { FlowstoreError } from '../errors.ts';
import type { PageWire } from '../domains/openworkflow/ops.ts';
import { DEFAULT_PAGE_SIZE } from './options.ts';

export interface PageOptions { limit?: number; after?: string; before?: string }
export interface Page<T> { data: T[]; pagination: { next: string | null; prev: string | null } }

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ createdAt: row.createdAt, id: row.id })).toString('base64');
}

function decodeCursor(cursor: string, field: string): { createdAt: number; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { createdAt: unknown; id: unknown };
    const createdAt = new Date(parsed.createdAt as string).getTime();
    if (Number.isFinite(createdAt) && typeof parsed.id === 'string') return { createdAt, id: parsed.id };
  } catch {
    // reported below
  }
  throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${field}: not a cursor this backend handed out`, { details: { field } });
}

/**
 * Where a page starts and which way it reads: `after` continues in the list's own order,
 * `before` reads the other way (the page is turned back afterwards).
 */
export function pageStart(options: PageOptions, newestFirst: boolean): { cursor?: { createdAt: number; id: string; newest: boolean }; limit: number } {
  const { after, before } = options;
  if (after && before) throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', "Cannot specify both 'after' and 'before' cursors");
  const limit = options.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', 'limit: must be a positive integer');
  if (after) return { cursor: { ...decodeCursor(after, 'after'), newest: newestFirst }, limit };
  if (before) return { cursor: { ...decodeCursor(before, 'before'), newest: !newestFirst }, limit };
  return { limit };
}

/** The page from `limit + 1` rows read: the extra one says another page lies that way. */
export function toPage<T extends { createdAt: Date; id: string }>(wire: PageWire<T>, options: PageOptions, limit: number): Page<T> {
  const backwards = Boolean(options.before);
  const overflow = wire.rows.length > limit;
  const ordered = backwards ? wire.rows.toReversed() : wire.rows;
  const data = !overflow ? ordered : backwards ? ordered.slice(1) : ordered.slice(0, -1);
  const hasNext = backwards || overflow;
  const hasPrev = backwards ? overflow : Boolean(options.after);
  const first = data[0];
  const last = data.at(-1);
  return { data, pagination: { next: hasNext && last ? encodeCursor(last) : null, prev: hasPrev && first ? encodeCursor(first) : null } };
}
