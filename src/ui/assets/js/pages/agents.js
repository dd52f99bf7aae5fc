// Agents: the views (key prefixes) and their agents, one agent's transitions and snapshots, tasks and sessions.
import { get } from '../api.js';
import { badge, card, filter, kv, link, pager, queryOf, table } from '../components.js';
import { fill, h } from '../dom.js';
import { num, plural, time } from '../format.js';
import { jsonTree } from '../json-tree.js';

const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'blocked', 'cancelled'];
const SESSION_STATUSES = ['active', 'paused', 'completed', 'failed', 'terminated'];

const viewName = (prefix) => (prefix === '' ? '(no prefix)' : `${prefix}:`);

function subnav(active) {
  return h('nav', { class: 'tabs' }, [['agents', 'Agents'], ['tasks', 'Tasks'], ['agent-sessions', 'Sessions'], ['events', 'Events']]
    .map(([part, label]) => link([part], {}, label, { class: active === part ? 'on' : '' })));
}

export async function list(route, main) {
  const query = queryOf(route);
  const body = await get('/api/agents', { prefix: query.prefix, page: query.page });
  const prefix = body.prefix ? h('span', { class: 'muted' }, `${body.prefix}:`) : null;
  const none = body.prefixes.length === 0;
  fill(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Agents'), subnav('agents')),
    none ? null : h('div', { class: 'chips', 'data-testid': 'prefixes' }, h('span', { class: 'muted' }, 'views: '),
      body.prefixes.map((p) => link(['agents'], { prefix: p || undefined }, viewName(p), { class: ['chip', body.prefix === p ? 'on' : ''] })),
      body.complete ? null : h('span', { class: 'muted' }, ' and more')),
    table([
      { label: 'agent', cell: (a) => link(['agent', a.agentId], { prefix: body.prefix || undefined }, [prefix, a.agentId], { class: 'id', 'data-testid': 'agent-link' }) },
      { label: 'name', cell: (a) => a.name },
      { label: 'status', cell: (a) => badge(a.status) },
      { label: 'version', class: 'num', cell: (a) => num(a.version) },
      { label: 'updated', cell: (a) => time(a.updatedAt) },
    ], body.items, { empty: none ? 'No agents yet: store.agents.saveAgentState writes them.' : `No agents in the view ${viewName(body.prefix)}.`, testid: 'agents-table' }),
    pager(['agents'], { ...query, prefix: body.prefix || undefined }, body.page, body.more),
  );
}

export async function detail(route, main) {
  const id = route.parts[1];
  const query = queryOf(route);
  const body = await get('/api/agent', { id, prefix: query.prefix });
  const a = body.summary;
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', { class: 'id' }, a.agentId), badge(a.status)),
    h('div', { class: 'grid-2' },
      card('Agent', kv([['view', viewName(query.prefix ?? '')], ['name', a.name], ['version', num(a.version)], ['created', time(a.createdAt)], ['updated', time(a.updatedAt)]]),
        h('h3', null, 'Metadata'), jsonTree(body.metadata)),
      card('State data', jsonTree(body.stateData, 'agent-state'))),
    card('Transitions', table([
      { label: 'when', cell: (t) => time(t.timestamp) },
      { label: 'from', cell: (t) => badge(t.stateBefore) },
      { label: 'to', cell: (t) => badge(t.stateAfter) },
      { label: 'reason', class: 'wrap', optional: true, cell: (t) => t.reason ?? '' },
    ], body.history, { empty: 'No transitions recorded.', testid: 'transitions' })),
    card('Snapshots', table([
      { label: 'id', class: 'id', cell: (s) => s.id },
      { label: 'taken', cell: (s) => time(s.createdAt) },
      { label: 'expires', cell: (s) => time(s.expiresAt) },
      { label: 'description', class: 'wrap', optional: true, cell: (s) => s.description ?? '' },
    ], body.snapshots, { empty: 'No snapshots.' })),
  );
}

export async function tasks(route, main) {
  const query = queryOf(route);
  const body = await get('/api/tasks', { status: query.status, page: query.page });
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'Tasks'), subnav('tasks')),
    h('div', { class: 'toolbar' }, filter('status', 'status', TASK_STATUSES, ['tasks'], query)),
    table([
      { label: 'title', class: 'wrap', cell: (t) => t.title },
      { label: 'status', cell: (t) => badge(t.status) },
      { label: 'assigned to', optional: true, cell: (t) => t.assignedTo ?? '' },
      { label: 'created', cell: (t) => time(t.createdAt) },
      { label: 'description', class: 'wrap', optional: true, cell: (t) => t.description ?? '' },
    ], body.items, { empty: 'No tasks.', testid: 'tasks-table' }),
    pager(['tasks'], query, body.page, body.more),
  );
}

export async function sessions(route, main) {
  const query = queryOf(route);
  const body = await get('/api/agent-sessions', { status: query.status, page: query.page });
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'Agent sessions'), subnav('agent-sessions')),
    h('div', { class: 'toolbar' }, filter('status', 'status', SESSION_STATUSES, ['agent-sessions'], query)),
    table([
      { label: 'session', class: 'id', cell: (s) => link(['events'], { session: s.id }, s.id) },
      { label: 'agent', cell: (s) => s.agentId },
      { label: 'status', cell: (s) => badge(s.status) },
      { label: 'started', cell: (s) => time(s.startedAt) },
      { label: 'ended', cell: (s) => time(s.endedAt) },
    ], body.items, { empty: 'No sessions.', testid: 'sessions-table' }),
    pager(['agent-sessions'], query, body.page, body.more),
  );
}

export async function events(route, main) {
  const query = queryOf(route);
  const body = await get('/api/events', { q: query.q, type: query.type, session: query.session, page: query.page });
  const input = h('input', { type: 'search', name: 'q', value: query.q ?? '', placeholder: 'search event text (full-text)…', 'data-testid': 'event-search', enterkeyhint: 'search' });
  const n = plural(body.items.length, 'event');
  const what = query.q ? `${n} matching “${query.q}”` : query.type ? `${n} of type ${query.type}` : query.session ? `${n} of session ${query.session}` : 'Newest first';
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'Events'), subnav('events')),
    h('form', { class: 'toolbar', role: 'search', onSubmit: (e) => { e.preventDefault(); location.hash = `#/events${input.value ? `?q=${encodeURIComponent(input.value)}` : ''}`; } },
      input, h('button', { type: 'submit', 'data-testid': 'event-search-go' }, 'Search'), filter('type', 'type', body.types, ['events'], { ...query, q: undefined })),
    h('p', { class: 'muted', 'data-testid': 'events-what' }, what),
    table([
      { label: 'when', cell: (e) => time(e.timestamp) },
      { label: 'type', cell: (e) => e.eventType },
      { label: 'session', class: 'id', cell: (e) => link(['events'], { session: e.sessionId }, e.sessionId) },
      { label: 'actor', cell: (e) => `${e.actorType} ${e.actorId}` },
      { label: 'content', class: 'wrap', cell: (e) => e.content },
    ], body.items, { empty: query.q || query.type || query.session ? 'No events match.' : 'No events yet: store.agents.saveEvent writes them.', testid: 'events-table' }),
    query.q || query.type ? null : pager(['events'], query, body.page, body.more),
  );
}

const PAGES = { agents: list, agent: detail, tasks, 'agent-sessions': sessions, events };

/** `#/agents`, `#/agent/<id>`, `#/tasks`, `#/agent-sessions` and `#/events`: one entry in the navigation, tabs inside. */
export const area = { section: 'agents', label: 'Agents', also: Object.keys(PAGES), page: ([section]) => PAGES[section] };
