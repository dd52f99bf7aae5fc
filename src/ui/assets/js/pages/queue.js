// The queue (store.queue), read-only: the queues with their jobs by state, limit and oldest due
// job, live and charted; a queue's own page with its jobs; the jobs (queue-jobs.js); the schedules.
import { get } from '../api.js';
import { card, link, queryOf, stat, table } from '../components.js';
import { fill, h } from '../dom.js';
import { duration, num, relative, time } from '../format.js';
import { jsonTree } from '../json-tree.js';
import { liveSamples } from '../live.js';
import { queueCharts } from './queue-charts.js';
import { countsText, job, jobs, jobsPager, jobsTable, jobsWhat, JOB_STATES, liveJobs, subnav } from './queue-jobs.js';

/** The counts a queue shows, each with the listing it opens: delayed jobs are waiting ones due later. */
const COUNTS = [['waiting', 'due', 'waiting'], ['delayed', 'delayed', 'waiting'], ['running', 'running', 'running'],
  ['completed', 'completed', 'completed'], ['failed', 'failed', 'failed'], ['cancelled', 'cancelled', 'cancelled']];

const count = (q, key, state) => (q[key] === 0 ? h('span', { class: 'muted' }, '0') : link(['queue', 'queues', q.queue], { state }, num(q[key])));
const limitText = (q) => (q.concurrency === null ? 'none' : `${num(q.concurrency)} at once`);
const READ_ONLY = 'The dashboard only reads: retry or cancel a job with flowstore queue retry <id> or cancel <id>, or store.queue.retry(id) and cancel(id).';

function queuesTable(items, more) {
  return [
    table([
      { label: 'queue', class: 'id', cell: (q) => link(['queue', 'queues', q.queue], {}, q.queue, { 'data-testid': 'queue-link' }) },
      ...COUNTS.map(([key, label, state]) => ({ label, class: 'num', cell: (q) => count(q, key, state) })),
      { label: 'limit', class: 'num', cell: limitText },
      { label: 'oldest due', class: 'num', cell: (q) => (q.waiting === 0 ? h('span', { class: 'muted' }, '–') : duration(q.oldestWaitingMs)) },
    ], items, { empty: 'No queues: store.queue.enqueue writes jobs here.', testid: 'queues' }),
    more ? h('p', { class: 'muted' }, 'The live figures show the first 100 queues by name; reload the page for all of them.') : null,
  ];
}

/**
 * Redraws `draw(queues, more, t)` from each live sample newer than the page's own read (the
 * stream opens with its history, which may be older), and the charts from every sample.
 */
function live(since, charts, draw) {
  return liveSamples((samples) => {
    const latest = samples.at(-1);
    if (latest && latest.t > since) draw(latest.queues ?? [], latest.moreQueues, latest.t);
    charts.set(samples);
  });
}

const updatedAt = (t) => `updated ${time(new Date(t).toISOString())}`;

export async function queues(_route, main) {
  const body = await get('/api/queue/queues');
  const slot = h('div');
  const updated = h('span', { class: 'muted', 'data-testid': 'updated' });
  const charts = queueCharts(null);
  const draw = (items, more, t) => {
    fill(slot, queuesTable(items, more));
    updated.textContent = updatedAt(t);
  };
  draw(body.items, false, body.now);
  fill(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Queues'), subnav('queue'), updated),
    slot,
    h('div', { class: 'charts three' }, charts.els),
    h('p', { class: 'muted' }, READ_ONLY));
  const close = live(body.now, charts, draw);
  return () => {
    close();
    charts.destroy();
  };
}

function queueStats(q) {
  return h('div', { class: 'stats' },
    COUNTS.map(([key, label, state]) => stat(label, count(q, key, state), `count-${key}`)),
    stat('limit', limitText(q), 'count-limit'),
    stat('oldest due job waits', q.waiting === 0 ? '–' : duration(q.oldestWaitingMs), 'count-oldest'));
}

const EMPTY_QUEUE = { waiting: 0, delayed: 0, running: 0, completed: 0, failed: 0, cancelled: 0, oldestWaitingMs: 0, concurrency: null };

export async function queuePage(route, main) {
  const name = route.parts[2];
  const query = queryOf(route);
  const params = { queue: name, state: query.state, before: query.before };
  const [stats, body] = await Promise.all([get('/api/queue/queues'), get('/api/queue/jobs', params)]);
  const parts = ['queue', 'queues', name];
  const jobsSlot = h('div');
  const drawJobs = (jobsBody) => fill(jobsSlot,
    jobsWhat(jobsBody, query, null),
    jobsTable(jobsBody, { withQueue: false, empty: query.state || query.before ? 'No jobs match.' : 'No jobs in this queue.' }),
    jobsPager(parts, query, jobsBody.next));
  drawJobs(body);
  // The first page of jobs keeps up with the counts above it.
  const onCounts = liveJobs(query, () => get('/api/queue/jobs', params), drawJobs);
  const slot = h('div');
  const updated = h('span', { class: 'muted', 'data-testid': 'updated' });
  const charts = queueCharts(name);
  const draw = (items, more, t) => {
    const q = items.find((x) => x.queue === name);
    // Past the sample's first hundred queues, this queue's figures stay those the page read.
    if (!q && more) return;
    const shown = { ...EMPTY_QUEUE, ...q, queue: name };
    fill(slot, queueStats(shown));
    updated.textContent = updatedAt(t);
    onCounts(countsText([shown]));
  };
  draw(stats.items, false, stats.now);
  const chips = h('div', { class: 'chips', 'data-testid': 'job-states' },
    link(parts, {}, 'all', { class: ['chip', query.state ? '' : 'on'] }),
    JOB_STATES.map((s) => link(parts, { state: s }, s, { class: ['chip', query.state === s ? 'on' : ''] })));
  fill(main,
    h('div', { class: 'page-head' }, link(['queue'], {}, '← Queues'), h('h1', { class: 'id', 'data-testid': 'queue-name' }, name), updated),
    card(null, slot),
    h('div', { class: 'charts three' }, charts.els),
    card('Jobs', chips, jobsSlot),
    h('p', { class: 'muted' }, READ_ONLY));
  const close = live(stats.now, charts, draw);
  return () => {
    close();
    charts.destroy();
  };
}

function jobOptions(options) {
  const said = [
    options.priority !== undefined ? `priority ${num(options.priority)}` : null,
    options.maxAttempts !== undefined ? `${num(options.maxAttempts)} attempts` : null,
    options.backoff ? `retries after ${duration(options.backoff.baseMs)} to ${duration(options.backoff.maxMs)}` : null,
  ].filter(Boolean);
  return said.length === 0 ? h('span', { class: 'muted' }, 'defaults') : said.join(', ');
}

export async function schedules(_route, main) {
  const body = await get('/api/queue/schedules');
  // One element: on a phone a cell lays its children out apart.
  const tick = (value) => h('span', null, time(value), ' ', h('span', { class: 'muted' }, `(${relative(value, body.now)})`));
  fill(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Schedules'), subnav('queue/schedules')),
    h('p', { class: 'muted' }, 'Each tick enqueues one job into the queue named like the schedule, once however many processes run workers. Times are this browser’s; the cron reads in the schedule’s time zone.'),
    table([
      { label: 'schedule', class: 'id', cell: (s) => link(['queue', 'queues', s.name], {}, s.name, { 'data-testid': 'schedule-link' }) },
      { label: 'cron', cell: (s) => h('code', null, s.cron) },
      { label: 'time zone', cell: (s) => s.timeZone ?? 'UTC' },
      { label: 'last tick', cell: (s) => (s.lastTick ? tick(s.lastTick) : h('span', { class: 'muted', title: s.since ? `scheduled ${time(s.since)}` : null }, 'none yet')) },
      { label: 'next tick', cell: (s) => (s.nextTick ? tick(s.nextTick) : h('span', { class: 'muted' }, 'never again')) },
      { label: 'jobs get', cell: (s) => jobOptions(s.options) },
      { label: 'payload', cell: (s) => jsonTree(s.payload) },
    ], body.items, { empty: 'No schedules: store.queue.schedule(name, cron, payload) adds one.', testid: 'schedules' }),
  );
}

/** `#/queue`, `#/queue/queues/<name>?state=&before=`, `#/queue/jobs?queue=&state=&before=`, `#/queue/jobs/<id>`, `#/queue/schedules`. */
export const area = {
  section: 'queue',
  label: 'Queue',
  page: ([, tab, id]) => {
    if (tab === 'queues' && id !== undefined) return queuePage;
    if (tab === 'jobs') return id === undefined ? jobs : job;
    return tab === 'schedules' ? schedules : queues;
  },
};
