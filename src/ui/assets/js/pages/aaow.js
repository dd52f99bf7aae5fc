// aaow: sessions by status, one session's execution, pending approvals, LLM executions, budget pools as a tree.
import { get } from '../api.js';
import { badge, card, kv, link, pager, queryOf, table } from '../components.js';
import { fill, h } from '../dom.js';
import { money, ms, num, time } from '../format.js';
import { jsonTree } from '../json-tree.js';

const STATUSES = ['running', 'paused', 'completed', 'failed', 'waiting_for_human_review', 'waiting_for_budget_approval', 'waiting_for_workflow_approval'];

function subnav(active) {
  return h('nav', { class: 'tabs' }, [[['aaow'], 'Sessions'], [['aaow', 'approvals'], 'Approvals'], [['aaow', 'llm'], 'LLM executions'], [['aaow', 'pools'], 'Budget pools']]
    .map(([parts, label]) => link(parts, {}, label, { class: active === parts.join('/') ? 'on' : '' })));
}

const approvalColumns = [
  { label: 'request', class: 'id', cell: (a) => a.id },
  { label: 'session', class: 'id', cell: (a) => link(['aaow', 'sessions', a.sessionId], {}, a.sessionId) },
  { label: 'node', cell: (a) => a.nodeId },
  { label: 'type', cell: (a) => a.type },
  { label: 'status', cell: (a) => badge(a.status) },
  { label: 'asked', cell: (a) => time(a.createdAt) },
  { label: 'context', cell: (a) => jsonTree(a.context) },
];

const llmColumns = (withSession) => [
  { label: 'when', cell: (r) => time(r.timestamp) },
  withSession ? { label: 'session', class: 'id', cell: (r) => link(['aaow', 'sessions', r.sessionId], {}, r.sessionId) } : null,
  { label: 'node', cell: (r) => r.nodeId },
  { label: 'model', cell: (r) => r.model ?? '' },
  { label: 'ok', cell: (r) => badge(r.success ? 'success' : 'failed') },
  { label: 'prompt', class: 'num', cell: (r) => num(r.promptTokens) },
  { label: 'completion', class: 'num', cell: (r) => num(r.completionTokens) },
  { label: 'total', class: 'num', cell: (r) => num(r.totalTokens) },
  { label: 'cost', class: 'num', cell: (r) => money(r.cost) },
].filter(Boolean);

export async function sessions(route, main) {
  const query = queryOf(route);
  const [summary, body] = await Promise.all([get('/api/aaow'), get('/api/aaow/sessions', { status: query.status, page: query.page })]);
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'aaow'), subnav('aaow')),
    h('div', { class: 'chips', 'data-testid': 'session-statuses' },
      link(['aaow'], {}, ['all ', h('b', null, num(Object.values(summary.statusCounts).reduce((a, b) => a + b, 0)))], { class: ['chip', query.status ? '' : 'on'] }),
      STATUSES.filter((s) => summary.statusCounts[s]).map((s) => link(['aaow'], { status: s }, [s.replaceAll('_', ' '), ' ', h('b', null, num(summary.statusCounts[s]))], { class: ['chip', query.status === s ? 'on' : ''] })),
      summary.pendingApprovals ? link(['aaow', 'approvals'], {}, ['pending approvals ', h('b', null, num(summary.pendingApprovals))], { class: 'chip warn' }) : null),
    table([
      { label: 'session', cell: (s) => link(['aaow', 'sessions', s.id], {}, s.id, { class: 'id', 'data-testid': 'session-link' }) },
      { label: 'workflow', cell: (s) => s.workflowId ?? '–' },
      { label: 'status', cell: (s) => badge(s.status) },
      { label: 'created', cell: (s) => time(s.createdAt) },
      { label: 'updated', cell: (s) => time(s.updatedAt) },
    ], body.items, { empty: 'No sessions.', testid: 'aaow-sessions' }),
    pager(['aaow'], query, body.page, body.more),
  );
}

export async function session(route, main) {
  const id = route.parts[2];
  const body = await get('/api/aaow/session', { id });
  const s = body.session;
  const tokens = body.llm.reduce((sum, r) => sum + (r.totalTokens ?? 0), 0);
  const cost = body.llm.reduce((sum, r) => sum + (r.cost ?? 0), 0);
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', { class: 'id' }, s.id), badge(s.status)),
    h('div', { class: 'grid-2' },
      card('Session', kv([['workflow', s.workflowId ?? '–'], ['created', time(s.createdAt)], ['updated', time(s.updatedAt)],
        ['LLM executions', num(body.llm.length)], ['tokens', num(tokens)], ['cost', money(cost)]])),
      card('Execution state', jsonTree(body.execution))),
    card('LLM executions', table(llmColumns(false), body.llm, { empty: 'No LLM executions.', testid: 'session-llm' })),
    card('Approvals', table(approvalColumns, body.approvals, { empty: 'No approval requests.' })),
    card('Tool calls', table([
      { label: 'when', cell: (t) => time(t.timestamp) },
      { label: 'tool', cell: (t) => t.toolName },
      { label: 'took', class: 'num', cell: (t) => ms(t.duration) },
      { label: 'args', cell: (t) => jsonTree(t.args) },
      { label: 'result', cell: (t) => (t.error ? h('span', { class: 'err-text' }, t.error) : jsonTree(t.result)) },
    ], body.tools, { empty: 'No tool calls.' })),
    card('Workflow snapshot', jsonTree(body.workflow)),
  );
}

export async function approvals(route, main) {
  const query = queryOf(route);
  const body = await get('/api/aaow/approvals', { page: query.page });
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'Pending approvals'), subnav('aaow/approvals')),
    table(approvalColumns, body.items, { empty: 'Nothing waits for approval.', testid: 'approvals' }),
    pager(['aaow', 'approvals'], query, body.page, body.more),
  );
}

export async function llm(route, main) {
  const query = queryOf(route);
  const body = await get('/api/aaow/llm', { page: query.page });
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'LLM executions'), subnav('aaow/llm')),
    h('p', { class: 'muted' }, 'Newest first. Cost is what the runner recorded in the execution’s metadata (cost or costUsd).'),
    table(llmColumns(true), body.items, { empty: 'No LLM executions.', testid: 'llm' }),
    pager(['aaow', 'llm'], query, body.page, body.more),
  );
}

function poolNode(pool) {
  const used = pool.totalBudget > 0 ? Math.min(1, pool.usedBudget / pool.totalBudget) : 0;
  const bar = h('span', { class: 'bar-fill' });
  bar.style.width = `${(used * 100).toFixed(1)}%`;
  const label = [h('span', { class: 'id' }, pool.id), ' ', badge(pool.status), ' ',
    h('span', { class: 'bar', title: `${Math.round(used * 100)}% used` }, bar), ' ',
    h('span', { class: 'muted' }, `${num(pool.usedBudget)} of ${num(pool.totalBudget)} used, ${num(pool.remainingBudget)} left`)];
  if (pool.children === 0) return h('li', { class: 'leaf', 'data-pool': pool.id }, label);
  const children = h('ul', { class: 'tree' });
  const details = h('details', { 'data-pool': pool.id }, h('summary', null, label, h('span', { class: 'muted' }, ` · ${pool.children} below`)), children);
  details.addEventListener('toggle', async () => {
    if (!details.open || children.childElementCount > 0) return;
    const body = await get('/api/aaow/pools', { parent: pool.id });
    children.replaceChildren(...body.items.map(poolNode));
  });
  return h('li', null, details);
}

export async function pools(route, main) {
  const query = queryOf(route);
  const body = await get('/api/aaow/pools', { page: query.page });
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'Budget pools'), subnav('aaow/pools')),
    card(null, body.items.length === 0 ? h('p', { class: 'empty' }, 'No budget pools.') : h('ul', { class: 'tree', 'data-testid': 'pools' }, body.items.map(poolNode))),
    pager(['aaow', 'pools'], query, body.page, body.more),
  );
}

/** `#/aaow` (sessions), `#/aaow/sessions/<id>`, `#/aaow/approvals`, `#/aaow/llm`, `#/aaow/pools`. */
export const area = {
  section: 'aaow',
  label: 'aaow',
  page: ([, tab, id]) => (tab === 'sessions' && id !== undefined ? session : { approvals, llm, pools }[tab] ?? sessions),
};
