/**
 * The options FlowstoreSaver and FlowstoreStore add to a store's: strict schemas like
 * openStore's, each default named. `open()` takes both kinds in one object.
 *
 * @example
 * ```ts
 * const memories = await FlowstoreStore.open({ path: './agents.db', ttl: { defaultTtl: 60 * 24 } });
 * ```
 */
import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { z } from 'zod';
import { FlowstoreError } from '../errors.ts';
import { MAX_TTL_MINUTES } from '../domains/langgraph/items-schema.ts';
import type { StoreOptions } from '../store.ts';

/** Items never expire unless a put gives a ttl. */
export const DEFAULT_ITEM_TTL_MINUTES = null;
/** Reading an item that has a ttl starts its ttl again (LangGraph's refresh_on_read). */
export const DEFAULT_REFRESH_ON_READ = true;
/** Checkpoints list() fetches per reader call; the next page is fetched while this one is consumed. */
export const DEFAULT_LIST_PAGE_SIZE = 100;

const isSerde = (value: unknown): value is SerializerProtocol => typeof value === 'object' && value !== null
  && typeof (value as SerializerProtocol).dumpsTyped === 'function' && typeof (value as SerializerProtocol).loadsTyped === 'function';

export const saverOptionsSchema = z.object({
  /** How values become bytes and back; LangGraph's JsonPlusSerializer by default. */
  serde: z.custom<SerializerProtocol>(isSerde, 'must have dumpsTyped and loadsTyped').optional(),
  listPageSize: z.number().int().min(1).max(10_000).default(DEFAULT_LIST_PAGE_SIZE),
}).strict();

export const itemStoreOptionsSchema = z.object({
  ttl: z.object({
    /** Minutes an item lives after a put that gives no ttl; null: forever. */
    defaultTtl: z.number().positive().max(MAX_TTL_MINUTES).nullable().default(DEFAULT_ITEM_TTL_MINUTES),
    refreshOnRead: z.boolean().default(DEFAULT_REFRESH_ON_READ),
  }).strict().default({ defaultTtl: DEFAULT_ITEM_TTL_MINUTES, refreshOnRead: DEFAULT_REFRESH_ON_READ }),
}).strict();

export type FlowstoreSaverOptions = z.input<typeof saverOptionsSchema>;
export type FlowstoreStoreOptions = z.input<typeof itemStoreOptionsSchema>;

export function parseOwn<S extends z.ZodType>(schema: S, options: unknown): z.output<S> {
  const result = schema.safeParse(options ?? {});
  if (result.success) return Object.freeze(result.data) as z.output<S>;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys.join(','));
  const field = path.join('.') || 'options';
  throw new FlowstoreError('FLOWSTORE_INVALID_OPTIONS', `${field}: ${issue.message}`, { details: { field, issues: result.error.issues } });
}

/** Splits open()'s options into the store's and these `keys`. */
export function splitOptions<K extends string>(options: Record<string, unknown>, keys: readonly K[]): [StoreOptions, Partial<Record<K, unknown>>] {
  const store: Record<string, unknown> = {};
  const own: Partial<Record<K, unknown>> = {};
  for (const [key, value] of Object.entries(options)) {
    if ((keys as readonly string[]).includes(key)) own[key as K] = value;
    else store[key] = value;
  }
  return [store as StoreOptions, own];
}
