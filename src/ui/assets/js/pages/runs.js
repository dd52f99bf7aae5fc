// Runs: filtered by status and pipeline, paged, newest first; a run's state as a tree.
import { get } from '../api.js';
import { badge, card, filter, kv, link, pager, queryOf, table } from '../components.js';
import { fill, h } from '../dom.js';
import { ms, num, steps, time } from '../format.js';
import { jsonTree } from '../json-tree.js';

const STATUSES = ['running', 'paused', 'completed', 'failed', 'cancelled'];

export async function list(route, main) {
  const query = queryOf(route);
  const body = await get('/api/runs', { status: query.status, pipeline: query.pipeline, page: query.page });
  const counts = h('div', { class: 'chips' }, STATUSES.filter((s) => body.statusCounts[s]).map((s) =>
    link(['runs'], { ...query, status: s, page: undefined }, [s, ' ', h('b', null, num(body.statusCounts[s]))], { class: ['chip', query.status === s ? 'on' : ''] })));
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'Runs'), counts),
    h('div', { class: 'toolbar' }, filter('status', 'status', STATUSES, ['runs'], query), filter('pipeline', 'pipeline', body.pipelines, ['runs'], query)),
    table([
      { label: 'run', cell: (r) => link(['runs', r.runId], {}, r.runId, { class: 'id', 'data-testid': 'run-link' }) },
      { label: 'pipeline', cell: (r) => r.pipelineName },
      { label: 'status', cell: (r) => badge(r.status) },
      { label: 'step', class: 'num', cell: (r) => steps(r.currentStepIndex, r.totalSteps) },
      { label: 'created', cell: (r) => time(r.createdAt) },
      { label: 'updated', cell: (r) => time(r.updatedAt) },
      { label: 'time', class: 'num', cell: (r) => ms(r.executionTimeMs) },
      { label: 'error', class: 'wrap', optional: true, cell: (r) => (r.errorMessage ? h('span', { class: 'err-text' }, r.errorMessage) : '') },
    ], body.items, { empty: query.status || query.pipeline ? 'No runs match.' : 'No runs yet: store.runs.saveState writes them.', testid: 'runs-table' }),
    pager(['runs'], query, body.page, body.more),
  );
}

export async function detail(route, main) {
  const id = route.parts[1];
  const body = await get('/api/run', { id });
  const r = body.summary;
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', { class: 'id', 'data-testid': 'run-id' }, r.runId), badge(r.status)),
    r.status === 'failed' || r.errorMessage
      ? h('div', { class: 'error', role: 'alert', 'data-testid': 'run-error' }, h('strong', null, 'failed'), ' ', r.errorMessage ?? '(no error message)')
      : null,
    h('div', { class: 'grid-2' },
      card('Run', kv([
        ['pipeline', `${r.pipelineName} (${r.pipelineId}) v${r.pipelineVersion}`],
        ['step', steps(r.currentStepIndex, r.totalSteps, ' of ')],
        ['created', time(r.createdAt)],
        ['updated', time(r.updatedAt)],
        ['execution', ms(r.executionTimeMs)],
        ['memory', r.memoryUsageMb == null ? '–' : `${r.memoryUsageMb} MB`],
      ])),
      card('Same id elsewhere', h('ul', { class: 'links' },
        body.related.dag ? h('li', null, link(['dags', r.runId], {}, 'its DAG cache')) : null,
        body.related.session ? h('li', null, link(['aaow', 'sessions', r.runId], {}, 'its aaow session')) : null,
        body.related.events ? h('li', null, link(['events'], { session: r.runId }, 'its events')) : null,
        !body.related.dag && !body.related.session && !body.related.events ? h('li', { class: 'muted' }, 'nothing') : null))),
    card('Context', jsonTree(body.context, 'run-context')),
    card('Last step output', jsonTree(body.lastOutput, 'run-output')),
  );
}

/** `#/runs` and `#/runs/<id>`. */
export const area = { section: 'runs', label: 'Runs', page: ([, id]) => (id === undefined ? list : detail) };
