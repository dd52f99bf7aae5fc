/** DAGs: ids in order (keyset paging, see queries.ts), and one DAG's cache, tree, snapshots and state sizes. */
import { toDisplay } from '../display.ts';
import { graphOf } from '../graph.ts';
import { dagIds, dagSummary, queryOf } from '../queries.ts';
import { intParam, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, requiredParam, textParam, type Handler, type Routes } from './context.ts';

export const dags: Handler = async ({ store, params }) => {
  const limit = Math.max(1, intParam(params, 'limit', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE));
  // `after` is the next page's cursor; `from` jumps to the first id at or after what was typed.
  const after = textParam(params, 'after');
  const { ids, more } = await dagIds(queryOf(store), after !== undefined ? { after } : { from: textParam(params, 'from') ?? '' }, limit);
  return { items: await Promise.all(ids.map((id) => dagSummary(queryOf(store), id))), more, next: more ? ids.at(-1) : null };
};

/** The snapshots shown on a DAG's timeline: the newest, at most this many. */
const SNAPSHOTS_SHOWN = 200;

export const dag: Handler = async ({ store, params }) => {
  const id = requiredParam(params, 'id');
  const [cache, tree, snapshots, summary] = await Promise.all([
    store.dag.loadCache(id), store.dag.loadExecutionTree(id), store.dag.listSnapshots(id), dagSummary(queryOf(store), id),
  ]);
  const nodes = Object.keys(cache);
  return {
    summary,
    artifacts: Object.fromEntries(nodes.map((node) => [node, toDisplay(cache[node])])),
    tree: toDisplay(tree),
    graph: graphOf(tree, nodes),
    snapshots: snapshots.slice(-SNAPSHOTS_SHOWN).map((s) => ({ id: s.id, size: s.size, storedSize: s.storedSize, compressed: s.compressed, createdAt: s.createdAt })),
    snapshotCount: snapshots.length,
  };
};

export const routes: Routes = { '/api/dags': dags, '/api/dag': dag };
