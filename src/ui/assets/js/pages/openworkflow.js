// OpenWorkflow's runs (flowstore/openworkflow), read-only: a namespace's runs counted by status
// and listed newest first, filtered by status and workflow, paged by cursor; a run with its
// fields, step attempts in order (output or error), parent, child runs and signals.
import { get } from '../api.js';
import { badge, card, filter, kv, link, queryOf, stat, table } from '../components.js';
import { fill, h } from '../dom.js';
import { duration, num, plural, relative, time } from '../format.js';
import { jsonTree } from '../json-tree.js';
import { go, href } from '../router.js';

export const RUN_STATUSES = ['pending', 'running', 'completed', 'failed', 'canceled'];
const DEFAULT_NAMESPACE = 'default';
const READ_ONLY = 'The dashboard only reads: cancel a run with OpenWorkflow’s client (handle.cancel(), or ow.cancelWorkflowRun(id)).';

/** The namespace a route shows: left out of links while it is the default one. */
const nsQuery = (namespace) => (namespace && namespace !== DEFAULT_NAMESPACE ? namespace : undefined);
const runLink = (namespace, id, text, props = {}) => link(['openworkflow', 'runs', id], { namespace: nsQuery(namespace) }, text, { class: 'id', ...props });
const shortId = (id) => (id.length > 13 ? `${id.slice(0, 8)}…` : id);

function errorView(error, testid) {
  if (!error) return '';
  return h('div', { class: 'attempt-error' },
    h('div', null, error.name && error.name !== 'Error' ? [h('code', { class: 'code' }, error.name), ' '] : null,
      h('span', { class: 'err-text', 'data-testid': testid }, error.message)),
    error.stack ? h('details', null, h('summary', { class: 'muted' }, 'stack'), h('pre', { class: 'stack', 'data-testid': `${testid}-stack` }, error.stack)) : null);
}

/** When the run's state began or ends: due (pending), started (running), finished. */
function whenView(run, now) {
  // One element: on a phone a cell lays its children out apart.
  const at = (label, value) => h('span', { title: time(value) }, `${label} ${relative(value, now)}`);
  if (run.finishedAt) return at('finished', run.finishedAt);
  if (run.status === 'pending') return at('due', run.availableAt ?? run.createdAt);
  if (run.startedAt) return at('started', run.startedAt);
  return at('created', run.createdAt);
}

function countsView(body, query) {
  const parts = ['openworkflow'];
  return h('div', { class: 'stats' }, RUN_STATUSES.map((s) => stat(s,
    body.counts[s] === 0 ? h('span', { class: 'muted' }, '0') : link(parts, { ...query, status: s, before: undefined }, num(body.counts[s])), `ow-count-${s}`)));
}

/** Newest / Older links of a listing paged by cursor (`before`); nothing when all fits on one page. */
function pagerView(parts, query, next) {
  if (!query.before && next === null) return null;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    query.before ? h('a', { href: href(parts, { ...query, before: undefined }), 'data-testid': 'newest' }, '⇤ Newest') : h('span', { class: 'disabled' }, '⇤ Newest'),
    next !== null ? h('a', { href: href(parts, { ...query, before: next }), 'data-testid': 'next' }, 'Older →') : h('span', { class: 'disabled' }, 'Older →'));
}

export async function runs(route, main) {
  const query = queryOf(route);
  const body = await get('/api/openworkflow/runs', { namespace: query.namespace, status: query.status, workflow: query.workflow, before: query.before });
  const total = RUN_STATUSES.reduce((n, s) => n + body.counts[s], 0);
  const parts = ['openworkflow'];
  const workflow = h('input', { type: 'search', name: 'workflow', value: query.workflow ?? '', placeholder: 'workflow name…', 'data-testid': 'ow-workflow', enterkeyhint: 'search' });
  const namespace = h('input', { type: 'search', name: 'namespace', value: body.namespace, 'aria-label': 'namespace', 'data-testid': 'ow-namespace', autocomplete: 'off' });
  const filters = { ...query, before: undefined };
  const what = [
    `${plural(body.items.length, query.status ? `${query.status} run` : 'run')}${body.next !== null ? ' on this page' : ''}`,
    query.workflow ? ` of ${query.workflow}` : '',
    `, newest first; ${plural(total, 'run')} in namespace ${body.namespace}.`,
  ].join('');
  fill(main,
    h('div', { class: 'page-head' }, h('h1', null, 'OpenWorkflow runs'), h('span', { class: 'muted', 'data-testid': 'ow-namespace-shown' }, `namespace ${body.namespace}`)),
    card(null, countsView(body, filters)),
    h('form', {
      class: 'toolbar', role: 'search',
      onSubmit: (e) => { e.preventDefault(); go(parts, { ...filters, workflow: workflow.value, namespace: nsQuery(namespace.value) }); },
    },
    h('label', { class: 'filter' }, h('span', null, 'namespace'), namespace),
    workflow, h('button', { type: 'submit', 'data-testid': 'ow-search-go' }, 'Show'),
    filter('status', 'status', RUN_STATUSES, parts, filters)),
    h('p', { class: 'muted', 'data-testid': 'ow-what' }, what),
    table([
      { label: 'run', cell: (r) => runLink(r.namespaceId, r.id, shortId(r.id), { title: r.id, 'data-testid': 'ow-run-link' }) },
      { label: 'workflow', class: 'id', cell: (r) => link(parts, { ...filters, workflow: r.workflowName }, r.workflowName, { 'data-testid': 'ow-workflow-link' }) },
      { label: 'version', optional: true, cell: (r) => r.version ?? '' },
      { label: 'status', cell: (r) => badge(r.status) },
      { label: 'attempts', class: 'num', cell: (r) => num(r.attempts) },
      { label: 'child of', optional: true, cell: (r) => (r.child ? h('span', { class: 'muted' }, 'a step') : '') },
      { label: 'input', class: 'wrap', optional: true, cell: (r) => (r.input === null ? '' : h('code', { class: 'preview' }, r.input)) },
      { label: 'when', cell: (r) => whenView(r, body.now) },
      { label: 'error', class: 'wrap', optional: true, cell: (r) => (r.error ? h('span', { class: 'err-text' }, r.error.message) : '') },
    ], body.items, {
      empty: query.status || query.workflow || query.before ? 'No runs match.' : `No OpenWorkflow runs in namespace ${body.namespace}: FlowstoreBackend (flowstore/openworkflow) keeps them here.`,
      testid: 'ow-runs',
    }),
    pagerView(parts, query, body.next),
    h('p', { class: 'muted' }, READ_ONLY),
  );
}

const STEP_KINDS = { function: 'step', sleep: 'sleep', workflow: 'child workflow', 'signal-send': 'sends a signal', 'signal-wait': 'waits for a signal' };

function stepsTable(body) {
  return table([
    { label: '#', class: 'num', cell: (s) => num(body.steps.indexOf(s) + 1) },
    { label: 'step', class: 'id', cell: (s) => s.stepName },
    { label: 'kind', cell: (s) => STEP_KINDS[s.kind] ?? s.kind },
    { label: 'status', cell: (s) => badge(s.status) },
    { label: 'started', cell: (s) => time(s.startedAt ?? s.createdAt) },
    { label: 'took', class: 'num', cell: (s) => (s.finishedAt ? duration(new Date(s.finishedAt) - new Date(s.startedAt ?? s.createdAt)) : '–') },
    { label: 'output', class: 'wrap', optional: true, cell: (s) => (s.output === null ? '' : jsonTree(s.output, 'ow-step-output')) },
    { label: 'error', class: 'wrap', optional: true, cell: (s) => errorView(s.error, 'ow-step-error') },
  ], body.steps, { empty: 'No step attempts yet: no worker has run this run.', testid: 'ow-steps' });
}

function childrenTable(body) {
  return table([
    { label: 'step', class: 'id', cell: (c) => c.stepName },
    { label: 'run', cell: (c) => runLink(c.namespaceId, c.id, shortId(c.id), { title: c.id, 'data-testid': 'ow-child-link' }) },
    { label: 'workflow', class: 'id', cell: (c) => c.workflowName ?? h('span', { class: 'muted' }, 'gone') },
    { label: 'status', cell: (c) => (c.status ? badge(c.status) : '–') },
  ], body.children, { empty: 'No child runs.', testid: 'ow-children' });
}

function signalsView(body, namespace) {
  const { waited, sent } = body.signals;
  if (waited.length === 0 && sent.length === 0) return h('p', { class: 'empty', 'data-testid': 'ow-signals-empty' }, 'No signals: the run neither waited for one nor sent one.');
  return [
    waited.length === 0 ? null : table([
      { label: 'waited for', class: 'id', cell: (s) => s.signal },
      { label: 'delivered', cell: (s) => (s.delivered ? badge('delivered') : badge(s.status === 'running' ? 'waiting' : 'not delivered')) },
      { label: 'data', class: 'wrap', cell: (s) => (s.delivered ? jsonTree(s.data, 'ow-signal-data') : h('span', { class: 'muted' }, s.timeoutAt ? `gives up ${time(s.timeoutAt)}` : '–')) },
    ], waited, { testid: 'ow-signals-waited' }),
    sent.length === 0 ? null : table([
      { label: 'sent', class: 'id', cell: (s) => s.signal },
      { label: 'at', cell: (s) => time(s.at) },
      { label: 'reached', cell: (s) => (s.reached.length === 0 ? h('span', { class: 'muted' }, 'no run was waiting') : s.reached.map((id, i) => [i ? ', ' : '', runLink(namespace, id, shortId(id), { title: id })])) },
    ], sent, { testid: 'ow-signals-sent' }),
  ];
}

export async function run(route, main) {
  const id = route.parts[2];
  const query = queryOf(route);
  const body = await get('/api/openworkflow/run', { namespace: query.namespace, id, after: query.after });
  const r = body.run;
  const at = (value) => (value ? [time(value), ' ', h('span', { class: 'muted' }, `(${relative(value, body.now)})`)] : '–');
  const parts = ['openworkflow', 'runs', id];
  fill(main,
    h('div', { class: 'page-head' },
      link(['openworkflow'], { namespace: nsQuery(r.namespaceId) }, '← Runs'),
      h('h1', { 'data-testid': 'ow-run-workflow' }, r.workflowName),
      badge(r.status),
      h('span', { class: 'muted id', title: r.id }, shortId(r.id))),
    r.error
      ? h('div', { class: 'error', role: 'alert', 'data-testid': 'ow-run-error' }, h('strong', null, `${r.status} after ${plural(r.attempts, 'attempt')}`), ' ', r.error.message)
      : null,
    h('div', { class: 'grid-2' },
      card('Run', kv([
        ['id', h('span', { class: 'id', 'data-testid': 'ow-run-id' }, r.id)],
        ['workflow', [link(['openworkflow'], { namespace: nsQuery(r.namespaceId), workflow: r.workflowName }, r.workflowName, { class: 'id', title: 'its runs' }),
          r.version ? ` (version ${r.version})` : '']],
        ['status', badge(r.status)],
        ['namespace', h('span', { class: 'id' }, r.namespaceId)],
        ['attempts', num(r.attempts)],
        r.idempotencyKey !== null ? ['idempotency key', h('span', { class: 'id' }, r.idempotencyKey)] : null,
        body.parent ? ['started by', body.parent.id
          ? h('span', { 'data-testid': 'ow-parent' }, 'step ', h('span', { class: 'id' }, body.parent.stepName), ' of ', runLink(body.parent.namespaceId, body.parent.id, body.parent.workflowName ?? shortId(body.parent.id)))
          : h('span', { class: 'muted' }, 'a step attempt no longer stored')] : null,
        r.workerId ? ['worker', h('span', { class: 'id' }, r.workerId)] : null,
        ['created', at(r.createdAt)],
        r.availableAt ? [r.status === 'pending' ? 'due' : 'lease or wake-up', at(r.availableAt)] : null,
        r.deadlineAt ? ['deadline', at(r.deadlineAt)] : null,
        r.startedAt ? ['started', at(r.startedAt)] : null,
        r.finishedAt ? ['finished', at(r.finishedAt)] : null,
      ])),
      card('Input', r.input === null ? h('p', { class: 'muted' }, 'none') : jsonTree(r.input, 'ow-run-input'))),
    r.output !== null ? card('Output', jsonTree(r.output, 'ow-run-output')) : null,
    card(`Step attempts (${num(body.steps.length)}${body.next !== null || query.after ? ' on this page' : ''}, oldest first)`, stepsTable(body),
      query.after || body.next !== null ? h('nav', { class: 'pager', 'aria-label': 'Pages' },
        query.after ? h('a', { href: href(parts, { ...query, after: undefined }) }, '⇤ First') : h('span', { class: 'disabled' }, '⇤ First'),
        body.next !== null ? h('a', { href: href(parts, { ...query, after: body.next }), 'data-testid': 'next' }, 'Later →') : h('span', { class: 'disabled' }, 'Later →')) : null),
    card(`Child runs (${num(body.children.length)})`, childrenTable(body)),
    card('Signals', signalsView(body, r.namespaceId)),
    card('Config', jsonTree(r.config, 'ow-run-config')),
    h('p', { class: 'muted' }, READ_ONLY),
  );
}

/** `#/openworkflow?namespace=&status=&workflow=&before=`, `#/openworkflow/runs/<id>?namespace=&after=`. */
export const area = {
  section: 'openworkflow',
  label: 'OpenWorkflow',
  page: ([, tab, id]) => (tab === 'runs' && id !== undefined ? run : tab === undefined ? runs : undefined),
};
