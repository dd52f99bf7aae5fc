// DAGs: ids in order (keyset pages), and one DAG: its graph, artifacts per node, snapshots, state sizes.
import { get } from '../api.js';
import { card, kv, link, table } from '../components.js';
import { fill, h } from '../dom.js';
import { bytes, num, time } from '../format.js';
import { drawGraph } from '../graph.js';
import { jsonTree } from '../json-tree.js';
import { go, href, replace } from '../router.js';

export async function list(route, main) {
  const query = Object.fromEntries(route.query.entries());
  const body = await get('/api/dags', { after: query.after, from: query.from });
  const input = h('input', { type: 'search', name: 'from', placeholder: 'jump to an id…', value: query.from ?? '', 'data-testid': 'dag-jump', enterkeyhint: 'go' });
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'DAGs'), h('span', { class: 'muted' }, 'in id order')),
    h('form', { class: 'toolbar', onSubmit: (e) => { e.preventDefault(); go(['dags'], { from: input.value }); } }, input, h('button', { type: 'submit' }, 'Go')),
    table([
      { label: 'DAG', cell: (d) => link(['dags', d.id], {}, d.id, { class: 'id', 'data-testid': 'dag-link' }) },
      { label: 'nodes', class: 'num', cell: (d) => num(d.nodes) },
      { label: 'artifacts', class: 'num', cell: (d) => num(d.artifacts) },
      { label: 'tree', class: 'num', cell: (d) => bytes(d.treeBytes) },
      { label: 'snapshots', class: 'num', cell: (d) => num(d.snapshots) },
      { label: 'active state', class: 'num', cell: (d) => bytes(d.activeBytes) },
      { label: 'pending state', class: 'num', cell: (d) => bytes(d.pendingBytes) },
    ], body.items, { empty: query.after || query.from ? 'No DAG ids from there on.' : 'No DAGs yet: store.dag writes them.', testid: 'dags-table' }),
    !(query.after || query.from || body.next) ? null : h('nav', { class: 'pager' },
      (query.after || query.from) ? h('a', { href: href(['dags']) }, '⇤ First') : h('span', { class: 'disabled' }, '⇤ First'),
      body.next ? h('a', { href: href(['dags'], { after: body.next }), 'data-testid': 'next' }, 'Next →') : h('span', { class: 'disabled' }, 'Next →')),
  );
}

function timeline(snapshots, count) {
  if (snapshots.length === 0) return h('p', { class: 'empty' }, 'No snapshots.');
  const times = snapshots.map((s) => new Date(s.createdAt).getTime());
  const first = Math.min(...times);
  const span = Math.max(...times) - first;
  // Snapshots taken within a second of each other would sit on one dot: then they are spread by their order.
  const at = (i) => (snapshots.length === 1 ? 50 : span < 1000 ? (i / (snapshots.length - 1)) * 100 : ((times[i] - first) / span) * 100);
  return h('div', null,
    h('div', { class: 'timeline', 'data-testid': 'snapshot-timeline' }, snapshots.map((s, i) => {
      const dot = h('span', { class: 'tick', title: `#${s.id} ${time(s.createdAt)} ${bytes(s.size)}` });
      dot.style.left = `${at(i)}%`;
      return dot;
    })),
    h('div', { class: 'timeline-ends muted' }, h('span', null, time(snapshots[0].createdAt)), h('span', null, time(snapshots.at(-1).createdAt))),
    count > snapshots.length ? h('p', { class: 'muted' }, `the newest ${snapshots.length} of ${count}`) : null,
    table([
      { label: 'id', class: 'num', cell: (s) => String(s.id) },
      { label: 'taken', cell: (s) => time(s.createdAt) },
      { label: 'size', class: 'num', cell: (s) => bytes(s.size) },
      { label: 'stored', class: 'num', cell: (s) => `${bytes(s.storedSize)}${s.compressed ? ' (deflated)' : ''}` },
    ], snapshots.slice(-10).reverse()));
}

export async function detail(route, main) {
  const id = route.parts[1];
  const query = Object.fromEntries(route.query.entries());
  const body = await get('/api/dag', { id });
  const nodes = Object.keys(body.artifacts);
  const selected = query.node ?? nodes[0];
  const panel = h('div', { 'data-testid': 'node-panel' });
  const show = (node) => {
    const artifacts = body.artifacts[node];
    fill(panel, 
      h('h3', { class: 'id', 'data-testid': 'node-name' }, node),
      artifacts ? jsonTree(artifacts, 'node-artifacts') : h('p', { class: 'empty' }, 'No artifacts cached for this node.'));
  };
  const select = (node) => {
    replace(['dags', id], { node });
    graphSlot.replaceChildren(graph(node));
    show(node);
  };
  const graph = (node) => (body.graph.nodes.length === 0
    ? h('p', { class: 'empty' }, 'No execution tree and no artifacts.')
    : drawGraph(body.graph, { selected: node, onSelect: select, mark: (n) => (body.artifacts[n] ? 'cached' : 'uncached') }));
  const graphSlot = h('div', null, graph(selected));
  if (selected) show(selected);
  const s = body.summary;
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', { class: 'id' }, id)),
    h('div', { class: 'grid-2' },
      card('Execution', graphSlot, body.graph.recognised ? null : h('p', { class: 'muted' }, 'The saved tree has no nodes-and-edges shape this page knows: the nodes shown are the cached ones.')),
      card('Node', panel)),
    h('div', { class: 'grid-2' },
      card('Sizes', kv([
        ['nodes with artifacts', num(s.nodes)],
        ['artifacts', num(s.artifacts)],
        ['execution tree', bytes(s.treeBytes)],
        ['active state', bytes(s.activeBytes)],
        ['pending state', bytes(s.pendingBytes)],
      ])),
      card('Snapshots', timeline(body.snapshots, body.snapshotCount))),
    card('Execution tree', jsonTree(body.tree, 'dag-tree')),
  );
}

/** `#/dags` and `#/dags/<id>`. */
export const area = { section: 'dags', label: 'DAGs', page: ([, id]) => (id === undefined ? list : detail) };
