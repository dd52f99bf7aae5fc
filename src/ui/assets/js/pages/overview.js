// Overview: counts per domain, file and WAL size, and the write path as live charts (server-sent events).
import { get } from '../api.js';
import { lineChart } from '../charts.js';
import { card, kv, link, stat } from '../components.js';
import { fill, h } from '../dom.js';
import { bytes, duration, ms, num, time } from '../format.js';
import { liveSamples } from '../live.js';

// Each table's count under its noun, singular (the plural adds an s).
const DOMAIN_TABLES = {
  DAGs: [['artifacts', 'artifact'], ['execution_trees', 'execution tree'], ['snapshots', 'snapshot'], ['execution_state', 'execution state']],
  Agents: [['agent_states', 'agent'], ['state_transitions', 'transition'], ['state_snapshots', 'snapshot'], ['events', 'event'], ['tasks', 'task'], ['sessions', 'session']],
  aaow: [['aaow_sessions', 'session'], ['llm_executions', 'LLM execution'], ['approval_requests', 'approval'], ['budget_pools', 'budget pool'], ['tool_call_logs', 'tool call'], ['workflows', 'workflow']],
  LangGraph: [['lg_checkpoints', 'checkpoint'], ['lg_blobs', 'channel value'], ['lg_writes', 'pending write'], ['lg_items', 'memory item']],
  Definitions: [['workflow_files', 'file'], ['workflow_phases', 'phase']],
};
const DOMAIN_PAGE = { DAGs: 'dags', Agents: 'agents', aaow: 'aaow', LangGraph: 'langgraph', Definitions: 'definitions' };
const noun = (n, singular) => (n === 1 ? singular : `${singular}s`);

const RUN_STATUSES = [['running', 'run'], ['completed', 'good'], ['failed', 'bad'], ['paused', 'wait'], ['cancelled', 'neutral']];

/** The runs' statuses as one proportional bar. */
function statusBar(runs) {
  return h('div', { class: 'status-bar', role: 'img', 'aria-label': 'runs by status' }, RUN_STATUSES.filter(([s]) => runs.byStatus[s]).map(([s, kind]) => {
    const part = h('span', { class: kind, title: `${s}: ${num(runs.byStatus[s])}` });
    part.style.width = `${(runs.byStatus[s] / runs.total) * 100}%`;
    return part;
  }));
}

/** The queue's jobs summed over its queues (the sample's first hundred by name). */
function queueCard(latest) {
  const queues = latest.queues ?? [];
  const sum = (state) => queues.reduce((n, q) => n + q[state], 0);
  const oldest = queues.reduce((max, q) => Math.max(max, q.oldestWaitingMs), 0);
  const jobs = (state, n) => link(['queue', 'jobs'], { state }, num(n));
  return card(null, h('h3', null, link(['queue'], {}, 'Queue')), h('div', { class: 'stats' },
    stat(`${noun(queues.length, 'queue')}${latest.moreQueues ? ' (and more)' : ''}`, num(queues.length), 'count-queues'),
    stat(noun(sum('waiting'), 'job') + ' due', jobs('waiting', sum('waiting')), 'count-queue-waiting'),
    stat('delayed', jobs('waiting', sum('delayed')), 'count-queue-delayed'),
    stat('running', jobs('running', sum('running')), 'count-queue-running'),
    stat('failed', jobs('failed', sum('failed')), 'count-queue-failed'),
    stat('oldest due job waits', duration(oldest), 'count-queue-oldest')));
}

/** OpenWorkflow's runs in the default namespace, by status (read with the page and again with each sample). */
function openWorkflowCard(ow) {
  const total = ow ? Object.values(ow.counts).reduce((n, c) => n + c, 0) : 0;
  const runs = (status, n) => link(['openworkflow'], { status }, num(n));
  return card(null, h('h3', null, link(['openworkflow'], {}, 'OpenWorkflow')), h('div', { class: 'stats' },
    stat(noun(total, 'run'), num(total), 'count-ow-runs'),
    ['pending', 'running', 'failed'].map((s) => stat(s, ow ? runs(s, ow.counts[s]) : '–', `count-ow-${s}`))));
}

function countsView(latest, ow) {
  if (!latest) return h('p', { class: 'empty' }, 'Waiting for the first sample…');
  const { runs, tables, pendingApprovals } = latest.counts;
  return h('div', { class: 'domains' },
    card(null, h('h3', null, link(['runs'], {}, 'Runs')), h('div', { class: 'stats' },
      stat(noun(runs.total, 'run'), num(runs.total), 'count-runs'),
      RUN_STATUSES.filter(([s]) => s in runs.byStatus || s === 'running' || s === 'failed')
        .map(([s]) => stat(s, link(['runs'], { status: s }, num(runs.byStatus[s] ?? 0)), `count-runs-${s}`))),
      statusBar(runs)),
    Object.entries(DOMAIN_TABLES).map(([domain, list]) => card(null, h('h3', null, link([DOMAIN_PAGE[domain]], {}, domain)), h('div', { class: 'stats' },
      list.map(([table, singular]) => stat(noun(tables[table], singular), num(tables[table]), `count-${table}`)),
      domain === 'aaow' ? stat(noun(pendingApprovals, 'pending approval'), num(pendingApprovals), 'count-pending-approvals') : null))),
    queueCard(latest),
    openWorkflowCard(ow));
}

export async function render(_route, main) {
  const [body, firstOw] = await Promise.all([get('/api/overview'), get('/api/openworkflow/counts')]);
  let samples = [];
  let ow = firstOw;
  let reading = false;
  const rereadOw = async () => {
    if (reading) return;
    reading = true;
    try {
      ow = await get('/api/openworkflow/counts');
    } catch {
      // The card keeps the counts it had.
    }
    reading = false;
  };
  const countsSlot = h('div');
  const fileSlot = h('div');
  const charts = [
    lineChart('Rows added per second', [
      { label: 'runs', value: (x) => x.rowsPerSec.runs }, { label: 'DAGs', value: (x) => x.rowsPerSec.dag },
      { label: 'agents', value: (x) => x.rowsPerSec.agents }, { label: 'aaow', value: (x) => x.rowsPerSec.aaow },
      { label: 'LangGraph', value: (x) => x.rowsPerSec.langgraph ?? 0 },
    ], { note: 'net change of row counts, every process', testid: 'chart-rows' }),
    lineChart('Runs finished per second', [{ label: 'finished', value: (x) => x.runsFinishedPerSec }, { label: 'running now', value: (x) => x.counts.runs.byStatus.running ?? 0 }],
      { note: 'completed + failed + cancelled, every process', testid: 'chart-finished' }),
    lineChart('File and WAL size', [{ label: 'file MB', value: (x) => (x.fileBytes ?? 0) / 1048576 }, { label: 'WAL MB', value: (x) => (x.walBytes ?? 0) / 1048576 }],
      { note: 'on disk', testid: 'chart-size' }),
    lineChart('Read latency seen here', [{ label: 'sample ms', value: (x) => x.probeMs }],
      { note: 'how long this dashboard’s counting reads took', testid: 'chart-probe' }),
    lineChart('This process: operations per second', [
      { label: 'reads/s', value: (x) => x.self.readsPerSec }, { label: 'writes/s', value: (x) => x.self.writesPerSec },
      { label: 'queue depth', value: (x) => x.self.queueDepth }, { label: 'busy retries', value: (x) => x.self.busyRetries },
    ], { note: 'store.metrics() of the process serving this page', testid: 'chart-self-ops' }),
    lineChart('This process: commits', [
      { label: 'p50 ms', value: (x) => x.self.commitP50Ms }, { label: 'p99 ms', value: (x) => x.self.commitP99Ms }, { label: 'batch size', value: (x) => x.self.averageWriteBatch },
    ], { note: body.readOnly ? 'none: this process opened the store read-only; a runner’s own commits show when it serves the dashboard itself (flowstore/ui)' : 'latency and average batch of this process’s commits', testid: 'chart-self-commits' }),
  ];
  const updated = h('span', { class: 'muted', 'data-testid': 'updated' });

  const refresh = () => {
    const latest = samples.at(-1);
    countsSlot.replaceChildren(countsView(latest, ow));
    fileSlot.replaceChildren(kv([
      ['file', h('code', null, body.path)],
      ['mode', body.readOnly ? 'read-only' : 'read-write'],
      ['size', bytes(latest?.fileBytes)],
      ['WAL', bytes(latest?.walBytes)],
      ['migrations', `${body.migrations.length}, the last ${body.migrations.at(-1)?.name ?? '–'} (${time(body.migrations.at(-1)?.appliedAt)})`],
      ['last sample', latest ? `${time(new Date(latest.t).toISOString())}${latest.probeMs === null ? '' : `, its reads took ${ms(latest.probeMs)}`}` : '–'],
    ]));
    updated.textContent = latest ? `updated ${time(new Date(latest.t).toISOString())}` : '';
    for (const chart of charts) chart.set(samples);
  };

  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'Overview'), updated),
    countsSlot,
    h('div', { class: 'grid-2' }, card('Store', fileSlot), card('What these charts can see', h('p', { class: 'note' },
      'Another process’s commits, batches and latencies live in that process’s own metrics. From here the dashboard sees what any reader can: ',
      'row counts (net changes per second), the file’s and the WAL’s size, how long its own reads take, and the metrics of the process serving this page.'))),
    h('div', { class: 'charts' }, charts.map((c) => c.el)),
  );
  if (body.latest) samples = [body.latest];
  refresh();

  const close = liveSamples((all) => {
    samples = all;
    refresh();
    void rereadOw().then(refresh);
  });
  return () => {
    close();
    for (const chart of charts) chart.destroy();
  };
}

/** The overview is the dashboard's home: `#/`. */
export const area = { section: '', label: 'Overview', page: () => render };
