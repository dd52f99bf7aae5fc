/**
 * FlowstoreStore's operations in LangGraph's shapes (GetOperation, SearchOperation,
 * PutOperation, ListNamespacesOperation), with flowstore's additions (`ttl`,
 * `refreshTtl`), validated and laid out for the worker. Namespace labels follow
 * LangGraph's `validateNamespace`: non-empty strings without '.', ':' or NUL; a put
 * may not use the reserved root label 'langgraph'.
 */
import { z } from 'zod';
import { joinNamespace } from './namespace.ts';
import { jsonText, MAX_ID_LENGTH, MAX_LIMIT, MAX_TEXT_LENGTH, offset } from '../common.ts';
import { toFtsQuery } from '../agents/search.ts';

/** What search returns when no limit is given (LangGraph's default). */
export const DEFAULT_SEARCH_LIMIT = 10;
/** What listNamespaces returns when no limit is given (LangGraph's default). */
export const DEFAULT_NAMESPACES_LIMIT = 100;
/** The longest ttl accepted, in minutes: about a hundred years. */
export const MAX_TTL_MINUTES = 100 * 366 * 24 * 60;
const RESERVED_ROOT = 'langgraph';

const label = z.string().min(1).max(MAX_TEXT_LENGTH).refine((s) => !/[.:\0]/.test(s), "must not contain '.', ':' or NUL");
const namespace = z.array(label).max(100);
const storedNamespace = namespace.min(1).refine((ns) => ns[0] !== RESERVED_ROOT, { message: `the root label '${RESERVED_ROOT}' is reserved`, path: [0] });
const key = z.string().min(1).max(MAX_ID_LENGTH);
/** A namespace pattern: labels, or '*' for any one label. */
const pattern = z.array(z.union([z.literal('*'), label])).max(100);
const ttl = z.number().positive().max(MAX_TTL_MINUTES).nullable();

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/** The operators LangGraph's stores know, as `{ field: { $gt: 3 } }`. */
export const FILTER_OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists'] as const;
const filterValue = z.unknown().superRefine((value, ctx) => {
  if (!isPlainObject(value)) return;
  const keys = Object.keys(value);
  if (!keys.some((k) => k.startsWith('$'))) return;
  for (const k of keys) {
    if (!(FILTER_OPERATORS as readonly string[]).includes(k)) ctx.addIssue({ code: 'custom', message: `unknown operator; use one of ${FILTER_OPERATORS.join(', ')}`, path: [k] });
    else if ((k === '$in' || k === '$nin') && !Array.isArray(value[k])) ctx.addIssue({ code: 'custom', message: 'expected an array', path: [k] });
    else if (k === '$exists' && typeof value[k] !== 'boolean') ctx.addIssue({ code: 'custom', message: 'expected a boolean', path: [k] });
  }
});
/** A filter on an item's top-level fields; it travels to the reader as it is (structured clone). */
const filter = z.record(z.string().min(1).max(MAX_TEXT_LENGTH), filterValue);

export const getOperation = z.object({
  namespace,
  key: z.string().max(MAX_ID_LENGTH),
  refreshTtl: z.boolean().optional(),
}).strict();

export const searchOperation = z.object({
  namespacePrefix: namespace,
  filter: filter.optional(),
  limit: z.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_SEARCH_LIMIT),
  offset: offset.default(0),
  // Words to find in the item's text (FTS5); punctuation and FTS syntax are plain text.
  query: z.string().max(MAX_TEXT_LENGTH).optional(),
  refreshTtl: z.boolean().optional(),
}).strict();

export const listNamespacesOperation = z.object({
  matchConditions: z.array(z.object({ matchType: z.enum(['prefix', 'suffix']), path: pattern }).strict()).max(100).optional(),
  maxDepth: z.number().int().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_NAMESPACES_LIMIT),
  offset: offset.default(0),
}).strict();

/** A put (value an object) or a delete (value null); `ttl` in minutes, null for none, absent for the store's default. */
export const putOperation = z.object({
  namespace: storedNamespace,
  key,
  value: z.record(z.string(), z.unknown()).nullable(),
  index: z.union([z.literal(false), z.array(z.string().min(1).max(MAX_TEXT_LENGTH)).max(1000)]).optional(),
  ttl: ttl.optional(),
}).strict();

/** A get as the reader takes it. */
export const readGet = getOperation.transform((o) => ({ namespace: joinNamespace(o.namespace), key: o.key, refresh: o.refreshTtl }));
export type ReadGet = z.output<typeof readGet>;

/** A search as the reader takes it: the prefix joined (null for everything), the query as FTS5 terms. */
export const readSearch = searchOperation.transform((o, ctx) => {
  const blank = o.query === undefined || o.query.trim() === '';
  const query = blank ? undefined : toFtsQuery(o.query!);
  // Only punctuation: a query that could match nothing is a mistake worth naming.
  if (!blank && query === undefined) ctx.addIssue({ code: 'custom', message: 'has no word to search for', path: ['query'] });
  return {
    prefix: o.namespacePrefix.length === 0 ? null : joinNamespace(o.namespacePrefix),
    filter: o.filter, query, limit: o.limit, offset: o.offset, refresh: o.refreshTtl,
  };
});
export type ReadSearch = z.output<typeof readSearch>;
export type ReadNamespaces = z.output<typeof listNamespacesOperation>;

/** One batch's reads, by kind; the caller knows where each result goes. */
export const readItemsInput = z.object({
  gets: z.array(readGet).max(10_000),
  searches: z.array(readSearch).max(10_000),
  lists: z.array(listNamespacesOperation).max(10_000),
  refreshOnRead: z.boolean(),
}).strict();

/** A put as the writer takes it: namespace, key, JSON text (null deletes), what to index, ttl in minutes. */
export const writeItem = putOperation.transform((o, ctx) => ({
  namespace: joinNamespace(o.namespace),
  key: o.key,
  value: o.value === null ? null : jsonText(o.value, ['value'], ctx),
  index: o.index,
  ttl: o.ttl,
}));
export type WriteItem = z.output<typeof writeItem>;

export const writeItemsInput = z.object({ puts: z.array(writeItem).max(10_000), defaultTtl: ttl }).strict();

export const refreshItemsInput = z.object({ items: z.array(z.tuple([z.string(), z.string()])).max(100_000) }).strict();
export const sweepItemsInput = z.object({}).strict();

/** An item as a read returns it (LangGraph's Item, and SearchItem's score). */
export interface StoredItem {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  score?: number;
}

export interface ReadItemsResult {
  gets: (StoredItem | null)[];
  searches: StoredItem[][];
  lists: string[][][];
  /** Items read that have a ttl and asked to be refreshed: [namespace, key]. */
  refresh: [string, string][];
}
