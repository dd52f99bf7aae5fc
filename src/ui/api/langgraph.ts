/**
 * LangGraph (flowstore/langgraph): threads newest first, a thread's history with its fork
 * points, one checkpoint's values, pending writes and interrupts (store.langgraph.getTuple),
 * a large value on its own request, and the memory store's items by namespace with their
 * search (store.langgraph.readItems, which never refreshes a ttl for the dashboard).
 *
 * @example
 * ```ts
 * // GET /api/langgraph/thread?id=t1&ns=          → { namespaces, items: [{ checkpointId, step, source, changed, … }], next }
 * // GET /api/langgraph/checkpoint?thread=t1&id=… → { values: [{ channel, value } | { channel, bytes, deferred }], writes, interrupts, … }
 * ```
 */
import { notFound } from '../../errors.ts';
import type { WireTuple } from '../../domains/langgraph/schema.ts';
import type { Store } from '../../store.ts';
import { toDisplay } from '../display.ts';
import { historyPage, nodeOfPath } from '../langgraph-history.ts';
import { decodeValue } from '../langgraph-values.ts';
import { queryOf } from '../queries.ts';
import { INTERRUPT, LG_SQL, metadataOf, RESUME, threadPage } from '../queries-langgraph.ts';
import { intParam, pageOf, paging, requiredParam, textParam, type Handler, type Routes } from './context.ts';

/** A value larger than this (stored serde bytes) is sent only when the page asks for it. */
export const INLINE_VALUE_BYTES = 16 * 1024;
const HISTORY_PAGE = 50;
const NAMESPACES_SHOWN = 100;
const CHILDREN_SHOWN = 20;
/** LangGraph's internal channels: the start input, edges' triggers (branch:to:node), the special writes. */
const isInternal = (channel: string) => channel.startsWith('__') || channel.startsWith('branch:');

/** `ns` is '' for the root graph, so an absent parameter and an empty one mean the same. */
const namespaceParam = (params: URLSearchParams) => params.get('ns') ?? '';

export const threads: Handler = async ({ store, params }) => {
  const { page, limit, offset } = paging(params);
  return { page, ...pageOf(await threadPage(queryOf(store), limit + 1, offset), limit) };
};

export const thread: Handler = async ({ store, params }) => {
  const threadId = requiredParam(params, 'id');
  const ns = namespaceParam(params);
  const query = queryOf(store);
  const [namespaces, history] = await Promise.all([
    query(LG_SQL.threadNamespaces, [threadId, NAMESPACES_SHOWN + 1]),
    historyPage(query, { threadId, ns, limit: Math.max(1, intParam(params, 'limit', HISTORY_PAGE, 500)), before: textParam(params, 'before') }),
  ]);
  if (namespaces.length === 0) throw notFound('thread', threadId);
  return {
    threadId,
    ns,
    namespaces: namespaces.slice(0, NAMESPACES_SHOWN).map((r) => String(r.checkpoint_ns)),
    moreNamespaces: namespaces.length > NAMESPACES_SHOWN,
    ...history,
  };
};

async function tupleOf(store: Store, params: URLSearchParams): Promise<WireTuple> {
  const threadId = requiredParam(params, 'thread');
  const ns = namespaceParam(params);
  const id = textParam(params, 'id');
  const tuple = await store.langgraph.getTuple(threadId, ns, id);
  if (!tuple) throw notFound('checkpoint', id ?? `newest of ${threadId}`);
  return tuple;
}

/** A value inline when small, its size only when large (the page asks /api/langgraph/value for it). */
function shown(type: string, data: Uint8Array | null) {
  const bytes = data?.length ?? 0;
  return bytes > INLINE_VALUE_BYTES ? { type, bytes, deferred: true } : { type, bytes, value: toDisplay(decodeValue(type, data)) };
}

export const checkpoint: Handler = async ({ store, params }) => {
  const tuple = await tupleOf(store, params);
  const { threadId, checkpointNs: ns, checkpointId } = tuple;
  const query = queryOf(store);
  const [paths, children] = await Promise.all([
    query(LG_SQL.taskPaths, [threadId, ns, checkpointId]),
    query(LG_SQL.children, [threadId, ns, checkpointId, CHILDREN_SHOWN + 1]),
  ]);
  const nodeOfTask = new Map(paths.map((p) => [String(p.task_id), nodeOfPath(String(p.task_path))]));
  const skeleton = decodeValue(tuple.type, tuple.checkpoint) as { ts?: unknown; channel_versions?: Record<string, unknown> } | undefined;
  const versions = skeleton?.channel_versions ?? {};
  return {
    threadId, ns, checkpointId,
    parentId: tuple.parentId,
    children: children.slice(0, CHILDREN_SHOWN).map((r) => String(r.checkpoint_id)),
    moreChildren: children.length > CHILDREN_SHOWN,
    createdAt: typeof skeleton?.ts === 'string' ? skeleton.ts : null,
    metadata: toDisplay(tuple.metadataType === 'json' ? metadataOf('json', tuple.metadata) : decodeValue(tuple.metadataType, tuple.metadata as Uint8Array)),
    values: tuple.blobs
      .filter(([, type]) => type !== 'empty')
      .map(([channel, type, data]) => ({ channel, version: String(versions[channel] ?? ''), internal: isInternal(channel), ...shown(type, data) }))
      .sort((a, b) => Number(a.internal) - Number(b.internal) || (a.channel < b.channel ? -1 : 1)),
    writes: tuple.writes.map(([taskId, channel, type, data], index) => ({ index, taskId, node: nodeOfTask.get(taskId) ?? '', channel, ...shown(type, data) })),
    interrupts: tuple.writes.flatMap(([taskId, channel, type, data], index): Record<string, unknown>[] => {
      if (channel !== INTERRUPT) return [];
      const node = nodeOfTask.get(taskId) ?? '';
      // A large question waits for its button as any large value does (it is the write at `index`).
      if (data.length > INLINE_VALUE_BYTES) return [{ taskId, node, index, type, bytes: data.length, deferred: true }];
      return interruptsOf(decodeValue(type, data)).map((asked) => ({ taskId, node, index, value: toDisplay(asked) }));
    }),
    resumedWith: resumeOf(tuple),
  };
};

/** What interrupt() was given: an __interrupt__ write holds LangGraph's Interrupt objects ({ id, value }). */
function interruptsOf(written: unknown): unknown[] {
  const list = Array.isArray(written) ? written : [written];
  return list.map((x) => (typeof x === 'object' && x !== null && 'value' in x ? (x as { value: unknown }).value : x));
}

/** The value Command({ resume }) gave, when this checkpoint's interrupt was answered. */
function resumeOf(tuple: WireTuple): unknown {
  const index = tuple.writes.findIndex(([, channel]) => channel === RESUME);
  return index === -1 ? null : { index, ...shown(tuple.writes[index]![2], tuple.writes[index]![3]) };
}

/** One channel value (`channel`) or pending write (`write`, its index) of a checkpoint, in full. */
export const value: Handler = async ({ store, params }) => {
  const tuple = await tupleOf(store, params);
  const channel = textParam(params, 'channel');
  if (channel !== undefined) {
    const blob = tuple.blobs.find(([name]) => name === channel);
    if (!blob) throw notFound('channel', channel);
    return { value: toDisplay(decodeValue(blob[1], blob[2])) };
  }
  const index = intParam(params, 'write', Number.NaN, 1_000_000);
  const write = tuple.writes[index];
  if (!write) throw notFound('pending write', Number.isNaN(index) ? 'none given' : index);
  return { value: toDisplay(decodeValue(write[2], write[3])) };
};

const ITEM_NAMESPACES = 200;

/** Memory namespaces (labels joined with '.', which no label holds). */
export const namespaces: Handler = async ({ store }) => {
  const read = await store.langgraph.readItems({ gets: [], searches: [], lists: [{ limit: ITEM_NAMESPACES + 1 }], refreshOnRead: false });
  const all = read.lists[0] ?? [];
  return { items: all.slice(0, ITEM_NAMESPACES).map((labels) => labels.join('.')), more: all.length > ITEM_NAMESPACES };
};

/** The items under a namespace (all without one), newest change first, or best match first for `q`. */
export const items: Handler = async ({ store, params }) => {
  const { page, limit, offset } = paging(params);
  const ns = textParam(params, 'ns');
  const q = textParam(params, 'q');
  const read = await store.langgraph.readItems({
    gets: [], lists: [], refreshOnRead: false,
    searches: [{ namespacePrefix: ns === undefined ? [] : ns.split('.'), query: q, limit: limit + 1, offset, refreshTtl: false }],
  });
  const { items: found, more } = pageOf(read.searches[0] ?? [], limit);
  return {
    page,
    more,
    items: found.map((item) => ({
      namespace: item.namespace.join('.'), key: item.key, value: toDisplay(item.value),
      createdAt: item.createdAt.toISOString(), updatedAt: item.updatedAt.toISOString(), score: item.score ?? null,
    })),
  };
};

export const routes: Routes = {
  '/api/langgraph/threads': threads,
  '/api/langgraph/thread': thread,
  '/api/langgraph/checkpoint': checkpoint,
  '/api/langgraph/value': value,
  '/api/langgraph/namespaces': namespaces,
  '/api/langgraph/items': items,
};
