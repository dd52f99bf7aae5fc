// The queue's jobs: a listing by queue and state (newest first, paged by id), and one job with
// its payload, result and every attempt (worker, times, error with its stack as text).
import { get } from '../api.js';
import { badge, card, filter, kv, link, queryOf, table } from '../components.js';
import { fill, h } from '../dom.js';
import { duration, num, plural, relative, time } from '../format.js';
import { jsonTree } from '../json-tree.js';
import { liveSamples } from '../live.js';
import { href } from '../router.js';

export const JOB_STATES = ['waiting', 'running', 'completed', 'failed', 'cancelled'];

export function subnav(active) {
  return h('nav', { class: 'tabs' }, [[['queue'], 'Queues'], [['queue', 'jobs'], 'Jobs'], [['queue', 'schedules'], 'Schedules']]
    .map(([parts, label]) => link(parts, {}, label, { class: active === parts.join('/') ? 'on' : '' })));
}

/** A job's state, with what it waits for: a waiting job due later is delayed; a running one may have outlived its lease. */
function stateView(job) {
  if (job.delayed) return badge('delayed');
  if (job.leaseEnded) return h('span', null, badge(job.state), ' ', h('span', { class: 'muted', title: 'its worker stopped renewing the lease: the next claim takes it again' }, 'lease ended'));
  return badge(job.state);
}

/** When the job's state began or ends: due (waiting), started (running), finished. */
function whenView(job, now) {
  // One element: on a phone a cell lays its children out apart.
  const at = (label, value) => h('span', { title: time(value) }, `${label} ${relative(value, now)}`);
  if (job.state === 'waiting') return at('due', job.dueAt);
  if (job.state === 'running') return at('started', job.startedAt);
  return at('finished', job.finishedAt);
}

function errorText(error) {
  if (!error) return '';
  return h('span', null, h('span', { class: 'err-text' }, error.message), error.code ? [' ', h('code', { class: 'code' }, error.code)] : null);
}

/** The jobs of a listing; `withQueue` adds their queue's column. */
export function jobsTable(body, { withQueue, empty }) {
  return table([
    { label: 'job', class: 'num', cell: (j) => link(['queue', 'jobs', String(j.id)], {}, `#${j.id}`, { 'data-testid': 'job-link' }) },
    withQueue ? { label: 'queue', class: 'id', cell: (j) => link(['queue', 'queues', j.queue], {}, j.queue) } : null,
    { label: 'state', cell: stateView },
    { label: 'attempt', class: 'num', cell: (j) => `${num(j.attempt)} / ${num(j.maxAttempts)}` },
    { label: 'payload', class: 'wrap', cell: (j) => h('code', { class: 'preview' }, j.payload) },
    { label: 'worker', class: 'id', optional: true, cell: (j) => j.workerId ?? '' },
    { label: 'when', cell: (j) => whenView(j, body.now) },
    { label: 'error', class: 'wrap', optional: true, cell: (j) => errorText(j.error) },
  ].filter(Boolean), body.items, { empty, testid: 'jobs' });
}

/** Newest / Older links of a listing paged by id (`before`); nothing when all fits on one page. */
export function jobsPager(parts, query, next) {
  if (!query.before && next === null) return null;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    query.before ? h('a', { href: href(parts, { ...query, before: undefined }), 'data-testid': 'newest' }, '⇤ Newest') : h('span', { class: 'disabled' }, '⇤ Newest'),
    next !== null ? h('a', { href: href(parts, { ...query, before: next }), 'data-testid': 'next' }, 'Older →') : h('span', { class: 'disabled' }, 'Older →'));
}

/** What a listing shows, in words: '3 failed jobs of emails, newest first'. */
export function jobsWhat(body, query, ofQueue) {
  const count = `${plural(body.items.length, query.state ? `${query.state} job` : 'job')}${body.next !== null ? ' on this page' : ''}`;
  const where = ofQueue ? ` of ${ofQueue}` : '';
  return h('p', { class: 'muted', 'data-testid': 'jobs-what' }, `${count}${where}, newest first${query.before ? `, older than #${query.before}` : ''}; as of ${time(new Date(body.now).toISOString())}.`);
}

/**
 * Keeps a first page of jobs up with the counts the live samples bring: the returned function
 * is given a text of those counts with each sample, and when it changes the page is read
 * again (one read at a time) and drawn. An older page (`before`) is left as read: its jobs
 * only age, and reading it again would not show the new ones.
 * @example const onCounts = liveJobs(query, () => get('/api/queue/jobs', params), draw);   // then onCounts(countsText(sample.queues)) per sample
 */
export function liveJobs(query, read, draw) {
  if (query.before) return () => {};
  let seen;
  let reading = false;
  let again = false;
  const reread = async () => {
    reading = true;
    try {
      draw(await read());
    } catch {
      // The list keeps the jobs it had, and its "as of" says how old they are.
    }
    reading = false;
    if (again) {
      again = false;
      void reread();
    }
  };
  return (counts) => {
    const changed = seen !== undefined && counts !== seen;
    seen = counts;
    if (!changed) return;
    if (reading) again = true;
    else void reread();
  };
}

/**
 * The counts of `queues` (a sample's, or the API's) as one text, to tell when they change.
 * @example countsText([{ queue: 'a', waiting: 1, delayed: 0, running: 2, completed: 3, failed: 0, cancelled: 0 }])   // 'a:1:0:2:3:0:0'
 */
export const countsText = (queues) => queues.map((q) => [q.queue, q.waiting, q.delayed, q.running, q.completed, q.failed, q.cancelled].join(':')).join('|');

export async function jobs(route, main) {
  const query = queryOf(route);
  const params = { queue: query.queue, state: query.state, before: query.before };
  const [body, queues] = await Promise.all([get('/api/queue/jobs', params), get('/api/queue/queues')]);
  const filters = { ...query, before: undefined };
  const slot = h('div');
  const draw = (jobsBody) => fill(slot,
    jobsWhat(jobsBody, query, query.queue),
    jobsTable(jobsBody, {
      withQueue: true,
      empty: query.queue || query.state || query.before ? 'No jobs match.' : 'No jobs yet: store.queue.enqueue writes them.',
    }),
    jobsPager(['queue', 'jobs'], query, jobsBody.next));
  draw(body);
  fill(main,
    h('div', { class: 'page-head' }, h('h1', null, 'Jobs'), subnav('queue/jobs')),
    h('div', { class: 'toolbar' },
      filter('queue', 'queue', queues.items.map((q) => q.queue), ['queue', 'jobs'], filters),
      filter('state', 'state', JOB_STATES, ['queue', 'jobs'], filters)),
    slot);
  const listed = (items) => countsText(query.queue ? items.filter((q) => q.queue === query.queue) : items);
  const onCounts = liveJobs(query, () => get('/api/queue/jobs', params), draw);
  onCounts(listed(queues.items));
  return liveSamples((samples) => {
    const latest = samples.at(-1);
    if (latest && latest.t > queues.now) onCounts(listed(latest.queues ?? []));
  });
}

/** An attempt's outcome: failed (with an error), running (not ended), completed. */
function outcome(attempt) {
  if (attempt.error) return badge('failed');
  return badge(attempt.endedAt === null ? 'running' : 'completed');
}

function attemptError(error) {
  if (!error) return '';
  return h('div', { class: 'attempt-error' },
    h('div', null, error.name && error.name !== 'Error' ? [h('code', { class: 'code' }, error.name), ' '] : null,
      h('span', { class: 'err-text', 'data-testid': 'attempt-error' }, error.message),
      error.code ? [' ', h('code', { class: 'code', 'data-testid': 'attempt-code' }, error.code)] : null),
    error.stack ? h('details', null, h('summary', { class: 'muted' }, 'stack'), h('pre', { class: 'stack', 'data-testid': 'attempt-stack' }, error.stack)) : null);
}

export async function job(route, main) {
  const id = route.parts[2];
  const { job: j, now } = await get('/api/queue/job', { id });
  const backoff = `${duration(j.backoff.baseMs)}, doubling each retry, at most ${duration(j.backoff.maxMs)}`;
  const at = (value) => (value ? [time(value), ' ', h('span', { class: 'muted' }, `(${relative(value, now)})`)] : '–');
  fill(main,
    h('div', { class: 'page-head' }, link(['queue', 'queues', j.queue], {}, `← ${j.queue}`, { class: 'id' }), h('h1', { 'data-testid': 'job-id' }, `Job #${j.id}`), stateView(j)),
    j.state === 'failed'
      ? h('div', { class: 'error', role: 'alert', 'data-testid': 'job-error' }, h('strong', null, `failed after ${plural(j.attempt, 'attempt')}`), ' ', j.error?.message ?? '(no error message)')
      : null,
    h('div', { class: 'grid-2' },
      card('Job', kv([
        ['queue', link(['queue', 'queues', j.queue], {}, j.queue, { class: 'id' })],
        ['state', stateView(j)],
        ['attempts', `${num(j.attempt)} of ${num(j.maxAttempts)}`],
        ['retries wait', backoff],
        ['priority', num(j.priority)],
        j.key !== null ? ['key', h('span', { class: 'id' }, j.key)] : null,
        ['created', at(j.createdAt)],
        ['run at', at(j.runAt)],
        j.dueAt ? ['due', at(j.dueAt)] : null,
        j.leaseUntil ? ['lease until', at(j.leaseUntil)] : null,
        j.workerId ? ['worker', h('span', { class: 'id' }, j.workerId)] : null,
        j.startedAt ? ['started', at(j.startedAt)] : null,
        j.finishedAt ? ['finished', at(j.finishedAt)] : null,
      ])),
      card('Payload', jsonTree(j.payload, 'job-payload'))),
    j.state === 'completed' ? card('Result', jsonTree(j.result, 'job-result')) : null,
    card(`Attempts (${j.attempts.length})`, table([
      { label: 'attempt', class: 'num', cell: (a) => `#${a.attempt}` },
      { label: 'worker', class: 'id', cell: (a) => a.workerId ?? '–' },
      { label: 'started', cell: (a) => time(a.startedAt) },
      { label: 'ended', cell: (a) => (a.endedAt ? time(a.endedAt) : h('span', { class: 'muted' }, 'running')) },
      { label: 'took', class: 'num', cell: (a) => (a.endedAt ? duration(new Date(a.endedAt) - new Date(a.startedAt)) : '–') },
      { label: 'outcome', cell: outcome },
      { label: 'error', class: 'wrap', optional: true, cell: (a) => attemptError(a.error) },
    ], j.attempts, { empty: 'No attempt yet: no worker has claimed the job.', testid: 'job-attempts' })),
    h('p', { class: 'muted' }, `The dashboard only reads: flowstore queue retry ${j.id} (store.queue.retry) puts a failed or cancelled job back to wait; flowstore queue cancel ${j.id} (store.queue.cancel) cancels a waiting or running one.`),
  );
}
