/**
 * FlowstoreStore's operations: one read of a batch's gets, searches and namespace
 * listings (one snapshot), one write of its puts and deletes, the ttl refresh of what
 * was read, and the sweep of expired items. An expired item is never returned, swept or not.
 */
import { fromSqlTime, sqlNow, toSqlTime, type Codec } from '../../codec.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { opsOf, type OpContext } from '../../engine/op.ts';
import { splitNamespace } from './namespace.ts';
import type * as Schemas from './items-schema.ts';
import type { ReadItemsResult, ReadNamespaces, ReadSearch, StoredItem } from './items-schema.ts';
import { matchesConditions, matchesFilter, searchText } from './match.ts';
import { inSnapshot } from './read.ts';
import type { ItemRow, LangGraphStatements } from './statements.ts';

const op = opsOf<LangGraphStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './items-schema');
const MINUTE_MS = 60_000;
/** Rows a filtered search reads per statement while it fills its page. */
const SEARCH_PAGE_ROWS = 256;

function toItem(codec: Codec, row: ItemRow): StoredItem {
  const item: StoredItem = {
    namespace: splitNamespace(row.namespace),
    key: row.key,
    value: codec.decodeJson(row.value) as Record<string, unknown>,
    createdAt: fromSqlTime(row.created_at),
    updatedAt: fromSqlTime(row.updated_at),
  };
  // bm25 is lower for a better match; LangGraph's scores are higher.
  if (row.rank !== undefined) item.score = -row.rank;
  return item;
}

/** [`a.b.`, `a.b/`): every namespace below `a.b` ('/' follows '.'). */
function under(prefix: string): [string, string, string] {
  return [prefix, `${prefix}.`, `${prefix}/`];
}

async function search({ sql, codec }: OpContext<LangGraphStatements>, now: string, s: ReadSearch, refresh: [string, string][], refreshOnRead: boolean): Promise<StoredItem[]> {
  const { items } = sql;
  const range = s.prefix === null ? [] : under(s.prefix);
  const statement = s.query === undefined ? (s.prefix === null ? items.search.all : items.search.under) : (s.prefix === null ? items.match.all : items.match.under);
  const params = [now, ...(s.prefix === null ? [null, null, null] : range), s.query ?? null];
  const found: StoredItem[] = [];
  const keep = (row: ItemRow, item: StoredItem) => {
    found.push(item);
    if (row.ttl_minutes !== null && (s.refresh ?? refreshOnRead)) refresh.push([row.namespace, row.key]);
  };
  if (s.filter === undefined) {
    for (const row of await statement.all(...params, s.limit, s.offset) as unknown as ItemRow[]) keep(row, toItem(codec, row));
    return found;
  }
  // Filters are JavaScript's (LangGraph's semantics): rows come a page at a time until this page is full.
  let skipped = 0;
  for (let at = 0; ; at += SEARCH_PAGE_ROWS) {
    const rows = await statement.all(...params, SEARCH_PAGE_ROWS, at) as unknown as ItemRow[];
    for (const row of rows) {
      const item = toItem(codec, row);
      if (!matchesFilter(item.value, s.filter)) continue;
      if (skipped < s.offset) skipped++;
      else keep(row, item);
      if (found.length === s.limit) return found;
    }
    if (rows.length < SEARCH_PAGE_ROWS) break;
  }
  return found;
}

async function namespaces({ sql }: OpContext<LangGraphStatements>, now: string, o: ReadNamespaces): Promise<string[][]> {
  const conditions = o.matchConditions ?? [];
  // A prefix's labels before its first '*' narrow the scan to a range; every condition is then checked in full.
  const prefix = conditions.find((c) => c.matchType === 'prefix')?.path ?? [];
  const wildcard = prefix.indexOf('*');
  const fixed = wildcard === -1 ? prefix : prefix.slice(0, wildcard);
  const rows = (fixed.length > 0 ? await sql.items.namespaces.under.all(now, ...under(fixed.join('.'))) : await sql.items.namespaces.all.all(now)) as unknown as { namespace: string }[];
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const { namespace } of rows) {
    let labels = splitNamespace(namespace);
    if (!matchesConditions(labels, conditions)) continue;
    if (o.maxDepth !== undefined) labels = labels.slice(0, o.maxDepth);
    const joined = labels.join('.');
    if (seen.has(joined)) continue;
    seen.add(joined);
    out.push(labels);
  }
  return out.slice(o.offset, o.offset + o.limit);
}

export const itemOps = {
  readItems: op({
    kind: 'read',
    input: s.readItemsInput,
    run(ctx, { gets, searches, lists, refreshOnRead }): Promise<ReadItemsResult> {
      return inSnapshot(ctx, async () => {
        const now = sqlNow();
        const refresh: [string, string][] = [];
        const result: ReadItemsResult = { gets: [], searches: [], lists: [], refresh };
        for (const g of gets) {
          const row = await ctx.sql.items.get.get(now, g.namespace, g.key) as ItemRow | undefined;
          result.gets.push(row === undefined ? null : toItem(ctx.codec, row));
          if (row !== undefined && row.ttl_minutes !== null && (g.refresh ?? refreshOnRead)) refresh.push([row.namespace, row.key]);
        }
        for (const s of searches) result.searches.push(await search(ctx, now, s, refresh, refreshOnRead));
        for (const l of lists) result.lists.push(await namespaces(ctx, now, l));
        return result;
      });
    },
  }),

  writeItems: op({
    kind: 'write',
    input: s.writeItemsInput,
    run({ sql, codec }, { puts, defaultTtl }): void {
      const nowMs = Date.now();
      const now = toSqlTime(new Date(nowMs));
      for (const put of puts) {
        if (put.value === null) {
          void sql.items.delete.run(put.namespace, put.key);
          continue;
        }
        const ttl = put.ttl === undefined ? defaultTtl : put.ttl;
        const stored = codec.packText(put.value);
        const text = searchText(codec.decodeJson(put.value), put.index);
        const expires = ttl === null ? null : toSqlTime(new Date(nowMs + ttl * MINUTE_MS));
        void sql.items.upsert.run(put.namespace, put.key, stored, typeof stored === 'string' ? 0 : 1, text, now, ttl, expires);
      }
    },
  }),

  refreshItems: op({
    kind: 'write',
    input: s.refreshItemsInput,
    run({ sql }, { items }): void {
      const nowMs = Date.now();
      const now = toSqlTime(new Date(nowMs));
      for (const [namespace, key] of items) void sql.items.refresh.run(now, nowMs / 1000, namespace, key);
    },
  }),

  /** Deletes expired items; returns how many (store.cleanup's share, and FlowstoreStore.sweep). */
  sweepItems: op({
    kind: 'write',
    input: s.sweepItemsInput,
    async run({ sql }): Promise<number> {
      return Number((await sql.items.sweep.run(sqlNow())).changes);
    },
  }),
};
