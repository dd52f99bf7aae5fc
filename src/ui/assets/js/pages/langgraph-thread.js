// A LangGraph thread as Studio shows it: the fork tree, the history (each checkpoint's step,
// source and the channels it changed), and the chosen checkpoint's values, pending writes and
// interrupts. Values larger than the server's inline limit load when their button is pressed.
import { get } from '../api.js';
import { badge, card, errorBox, kv, link, queryOf, table } from '../components.js';
import { fill, h } from '../dom.js';
import { bytes, plural, time } from '../format.js';
import { drawGraph } from '../graph.js';
import { jsonTree } from '../json-tree.js';
import { go, href } from '../router.js';

const isInternal = (channel) => channel.startsWith('__') || channel.startsWith('branch:');

/** 'step 3 · loop' from a row's step and source; '–' when the metadata says neither. */
export function stepText({ step, source }) {
  if (step === null || step === undefined) return source ?? '–';
  return `step ${step}${source ? ` · ${source}` : ''}`;
}

/** A subgraph's namespace (`node:task-id|…`) named by its nodes, the task ids shortened. */
function namespaceName(ns) {
  if (ns === '') return 'root graph';
  return ns.split('|').map((part) => {
    const [node, task] = part.split(':');
    return task ? `${node} (${task.slice(0, 8)})` : node;
  }).join(' › ');
}

/** A stored value: its tree, or a button that fetches it when it was too large to come with the page. */
function valueView(entry, params, testid) {
  if (!entry.deferred) return jsonTree(entry.value, testid);
  const slot = h('div', { class: 'deferred' });
  const button = h('button', {
    type: 'button',
    class: 'secondary',
    'data-testid': 'load-value',
    onClick: async () => {
      button.disabled = true;
      button.textContent = 'Loading…';
      try {
        const body = await get('/api/langgraph/value', params);
        fill(slot, jsonTree(body.value, testid));
      } catch (error) {
        fill(slot, errorBox(error));
      }
    },
  }, `Load (${bytes(entry.bytes)})`);
  return fill(slot, button);
}

function interruptsView(body, at) {
  if (body.interrupts.length === 0) return null;
  const resumed = body.resumedWith !== null;
  return h('div', { class: ['interrupts', resumed ? 'resumed' : ''], role: resumed ? null : 'status', 'data-testid': 'lg-interrupts' },
    h('strong', null, resumed ? 'Interrupted here, then resumed' : 'Waiting on an interrupt'),
    body.interrupts.map((i) => h('div', { class: 'interrupt' }, h('span', { class: 'muted' }, `${i.node || i.taskId} asks`), valueView(i, { ...at, write: i.index }, 'interrupt-value'))),
    resumed ? h('div', { class: 'interrupt' }, h('span', { class: 'muted' }, 'answered'), valueView(body.resumedWith, { ...at, write: body.resumedWith.index }, 'resume-value')) : null);
}

function valuesView(body, at) {
  const row = (v) => h('li', null, h('span', { class: 'j-key channel' }, v.channel), h('span', { class: 'muted' }, ` ${bytes(v.bytes)}`), valueView(v, { ...at, channel: v.channel }, `value-${v.channel}`));
  const own = body.values.filter((v) => !v.internal);
  const internal = body.values.filter((v) => v.internal);
  return h('div', { 'data-testid': 'lg-values' },
    own.length === 0 ? h('p', { class: 'empty' }, 'No channel holds a value at this checkpoint.') : h('ul', { class: 'channels' }, own.map(row)),
    internal.length === 0 ? null : h('details', { class: 'internal' }, h('summary', { class: 'muted' }, `LangGraph’s own channels (${internal.length})`), h('ul', { class: 'channels' }, internal.map(row))));
}

async function checkpointPanel(threadId, ns, id) {
  const at = { thread: threadId, ns, id };
  const body = await get('/api/langgraph/checkpoint', at);
  const goTo = (checkpoint) => link(['langgraph', 'threads', threadId], { ns: ns || undefined, checkpoint }, checkpoint, { class: 'id' });
  const errors = body.writes.filter((w) => w.channel === '__error__');
  return h('div', { class: 'checkpoint', 'data-testid': 'checkpoint-panel', 'data-checkpoint': body.checkpointId },
    interruptsView(body, at),
    errors.map((w) => h('div', { class: 'error', role: 'alert' }, h('strong', null, `${w.node || w.taskId} failed`), valueView(w, { ...at, write: w.index }))),
    kv([
      ['checkpoint', h('span', { class: 'id', 'data-testid': 'checkpoint-id' }, body.checkpointId)],
      ['created', time(body.createdAt)],
      ['parent', body.parentId ? goTo(body.parentId) : h('span', { class: 'muted' }, 'none: the thread starts here')],
      body.children.length > 0 ? [body.children.length > 1 ? `children (a fork: ${body.children.length}${body.moreChildren ? '+' : ''} branches)` : 'child',
        h('span', { class: 'links-inline' }, body.children.map(goTo))] : null,
    ]),
    h('h3', null, 'Values'),
    valuesView(body, at),
    h('h3', null, `Pending writes (${body.writes.length})`),
    table([
      { label: 'task', cell: (w) => w.node || w.taskId },
      { label: 'channel', class: 'id', cell: (w) => w.channel },
      { label: 'value', cell: (w) => valueView(w, { ...at, write: w.index }) },
    ], body.writes, { empty: 'None: every task of the next step is still to run, or none is left.', testid: 'lg-writes' }),
    h('h3', null, 'Metadata'),
    jsonTree(body.metadata, 'lg-metadata'));
}

function forkTree(body, selected, threadId, ns) {
  const ids = new Set(body.items.map((c) => c.checkpointId));
  const byId = new Map(body.items.map((c) => [c.checkpointId, c]));
  const graph = {
    nodes: body.items.map((c) => ({ id: c.checkpointId, label: c.step === null ? (c.source ?? c.checkpointId) : `${c.step} ${c.source ?? ''}`.trim() })),
    edges: body.items.filter((c) => c.parentId !== null && ids.has(c.parentId)).map((c) => ({ from: c.parentId, to: c.checkpointId })),
  };
  const mark = (id) => {
    const c = byId.get(id);
    return [c.children > 1 ? 'fork' : '', c.errors > 0 ? 'failed' : c.interrupts > 0 && !c.resumed ? 'interrupted' : ''].filter(Boolean).join(' ');
  };
  return drawGraph(graph, { selected, mark, testid: 'fork-tree', onSelect: (id) => go(['langgraph', 'threads', threadId], { ns: ns || undefined, checkpoint: id }) });
}

function historyTable(body, selected, threadId, ns) {
  const changed = (c) => {
    const own = c.changed.filter((ch) => !isInternal(ch));
    const internal = c.changed.length - own.length;
    return [own.join(', '), internal > 0 ? h('span', { class: 'muted' }, `${own.length > 0 ? ' ' : ''}+${internal} internal`) : null];
  };
  const notes = (c) => [
    c.errors > 0 ? badge('error') : c.interrupts > 0 ? badge(c.resumed ? 'resumed' : 'interrupted') : null,
    c.children > 1 ? h('span', { class: 'badge fork', 'data-testid': 'fork-badge' }, `fork: ${c.children} branches`) : null,
  ];
  return table([
    { label: 'step', cell: (c) => link(['langgraph', 'threads', threadId], { ns: ns || undefined, checkpoint: c.checkpointId }, stepText(c),
      { 'data-testid': 'history-link', title: `${c.checkpointId} · ${time(c.createdAt)}`, class: c.checkpointId === selected ? 'on' : '' }) },
    { label: 'made by', cell: (c) => (c.madeBy === null ? '–' : c.madeBy.join(', ')) },
    { label: 'changed', class: 'wrap', cell: changed },
    { label: 'notes', class: 'notes', optional: true, cell: notes },
  ], body.items, { empty: 'No checkpoints in this namespace.', testid: 'lg-history' });
}

export async function thread(route, main) {
  const threadId = route.parts[2];
  const query = queryOf(route);
  const ns = query.ns ?? '';
  const body = await get('/api/langgraph/thread', { id: threadId, ns, before: query.before });
  const selected = query.checkpoint ?? body.items[0]?.checkpointId;
  const panel = selected ? await checkpointPanel(threadId, ns, selected).catch(errorBox) : h('p', { class: 'empty' }, 'No checkpoint to show.');
  const older = body.next ? link(['langgraph', 'threads', threadId], { ns: ns || undefined, before: body.next }, 'Older →', { 'data-testid': 'next' }) : h('span', { class: 'disabled' }, 'Older →');
  fill(main,
    h('div', { class: 'page-head' }, link(['langgraph'], {}, '← Threads'), h('h1', { class: 'id', 'data-testid': 'thread-id' }, threadId)),
    body.namespaces.length > 1 ? h('div', { class: 'chips', 'data-testid': 'lg-namespaces' }, h('span', { class: 'muted' }, 'graph: '),
      body.namespaces.map((n) => link(['langgraph', 'threads', threadId], { ns: n || undefined }, namespaceName(n), { class: ['chip', n === ns ? 'on' : ''], title: n || 'the root graph' })),
      body.moreNamespaces ? h('span', { class: 'muted' }, ' and more') : null) : null,
    card(`Fork tree${body.next || query.before ? ' (this page of the history)' : ''}`, body.items.length === 0 ? h('p', { class: 'empty' }, 'No checkpoints.') : forkTree(body, selected, threadId, ns)),
    h('div', { class: 'grid-2 lg-thread' },
      card(`History · ${plural(body.items.length, 'checkpoint')}${body.next ? ' on this page' : ''}, newest first`, historyTable(body, selected, threadId, ns),
        query.before || body.next ? h('nav', { class: 'pager' },
          query.before ? h('a', { href: href(['langgraph', 'threads', threadId], { ns: ns || undefined }) }, '⇤ Newest') : h('span', { class: 'disabled' }, '⇤ Newest'), older) : null),
      card('Checkpoint', panel)),
  );
  // On a phone the checkpoint sits under the history: a checkpoint chosen there is scrolled to once the page is shown.
  if (query.checkpoint && window.innerWidth < 700) requestAnimationFrame(() => panel.scrollIntoView({ block: 'start' }));
}
