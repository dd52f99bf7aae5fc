// LangGraph (flowstore/langgraph): threads newest first, a thread's history (langgraph-thread.js),
// and the memory store's items by namespace, with their search.
import { get } from '../api.js';
import { badge, link, pager, queryOf, table } from '../components.js';
import { fill, h } from '../dom.js';
import { bytes, num, plural, time } from '../format.js';
import { jsonTree } from '../json-tree.js';
import { go } from '../router.js';
import { stepText, thread } from './langgraph-thread.js';

function subnav(active) {
  return h('nav', { class: 'tabs' }, [[['langgraph'], 'Threads'], [['langgraph', 'memory'], 'Memory store']]
    .map(([parts, label]) => link(parts, {}, label, { class: active === parts.join('/') ? 'on' : '' })));
}

export async function threads(route, main) {
  const query = queryOf(route);
  const body = await get('/api/langgraph/threads', { page: query.page });
  fill(main,
    h('div', { class: 'page-head' }, h('h1', null, 'LangGraph threads'), subnav('langgraph')),
    h('p', { class: 'muted' }, 'Newest first: the threads FlowstoreSaver keeps, each with its checkpoints (every namespace), the root graph’s last step, and what it takes on disk.'),
    table([
      { label: 'thread', cell: (t) => link(['langgraph', 'threads', t.threadId], {}, t.threadId, { class: 'id', 'data-testid': 'thread-link' }) },
      { label: 'state', cell: (t) => (t.status === 'idle' ? h('span', { class: 'muted' }, 'idle') : badge(t.status)) },
      { label: 'checkpoints', class: 'num', cell: (t) => num(t.checkpoints) },
      { label: 'last step', cell: (t) => stepText(t) },
      { label: 'size', class: 'num', cell: (t) => bytes(t.bytes) },
      { label: 'updated', cell: (t) => time(t.updatedAt) },
    ], body.items, { empty: 'No threads: a graph compiled with FlowstoreSaver as its checkpointer writes them here.', testid: 'lg-threads' }),
    pager(['langgraph'], query, body.page, body.more),
  );
}

function itemColumns(searching) {
  return [
    { label: 'namespace', class: 'id', cell: (i) => link(['langgraph', 'memory'], { ns: i.namespace }, i.namespace) },
    { label: 'key', class: 'id', cell: (i) => i.key },
    searching ? { label: 'score', class: 'num', cell: (i) => (i.score === null ? '–' : i.score.toFixed(2)) } : null,
    { label: 'value', cell: (i) => jsonTree(i.value, 'item-value') },
    { label: 'updated', cell: (i) => time(i.updatedAt) },
  ].filter(Boolean);
}

export async function memory(route, main) {
  const query = queryOf(route);
  const [spaces, body] = await Promise.all([get('/api/langgraph/namespaces'), get('/api/langgraph/items', { ns: query.ns, q: query.q, page: query.page })]);
  const input = h('input', { type: 'search', name: 'q', value: query.q ?? '', placeholder: 'search the items’ text…', 'data-testid': 'memory-search', enterkeyhint: 'search' });
  const where = query.ns ? ` under ${query.ns}` : '';
  const count = `${plural(body.items.length, 'item')}${body.more ? ' on this page' : ''}`;
  const what = query.q ? `${count} matching “${query.q}”${where}, best match first` : `${count}${where}, newest change first`;
  fill(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Memory store'), subnav('langgraph/memory')),
    spaces.items.length === 0 ? null : h('div', { class: 'chips', 'data-testid': 'namespaces' }, h('span', { class: 'muted' }, 'namespaces: '),
      link(['langgraph', 'memory'], { q: query.q }, 'all', { class: ['chip', query.ns ? '' : 'on'] }),
      spaces.items.map((ns) => link(['langgraph', 'memory'], { ns, q: query.q }, ns, { class: ['chip', query.ns === ns ? 'on' : ''] })),
      spaces.more ? h('span', { class: 'muted' }, ' and more') : null),
    h('form', { class: 'toolbar', role: 'search', onSubmit: (e) => { e.preventDefault(); go(['langgraph', 'memory'], { ns: query.ns, q: input.value }); } },
      input, h('button', { type: 'submit', 'data-testid': 'memory-search-go' }, 'Search')),
    h('p', { class: 'muted', 'data-testid': 'memory-what' }, what),
    table(itemColumns(query.q !== undefined), body.items, {
      empty: spaces.items.length === 0 ? 'The memory store is empty: FlowstoreStore (flowstore/langgraph) keeps its items here.' : 'No items.',
      testid: 'memory-items',
    }),
    pager(['langgraph', 'memory'], query, body.page, body.more),
  );
}

/** `#/langgraph` (threads), `#/langgraph/threads/<id>?ns=&checkpoint=`, `#/langgraph/memory?ns=&q=`. */
export const area = {
  section: 'langgraph',
  label: 'LangGraph',
  page: ([, tab, id]) => (tab === 'threads' && id !== undefined ? thread : tab === 'memory' ? memory : threads),
};
