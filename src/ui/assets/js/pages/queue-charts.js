// The queue's live charts: from each sample's store.queue.stats() (src/ui/sampler.ts), one
// queue's (or all queues') jobs by state, jobs finished per second, and its oldest due job's age.
import { lineChart } from '../charts.js';
import { num } from '../format.js';

const STATES = ['waiting', 'delayed', 'running', 'completed', 'failed', 'cancelled'];
const NONE = { waiting: 0, delayed: 0, running: 0, completed: 0, failed: 0, cancelled: 0, oldestWaitingMs: 0 };

/**
 * A sample's stats of queue `name`, or summed over every queue when `name` is null (the oldest: the oldest of any).
 * @example statsAt(sample, 'emails').waiting   // due jobs of emails when the sample was taken
 */
export function statsAt(sample, name) {
  const queues = sample.queues ?? [];
  if (name !== null) return queues.find((q) => q.queue === name) ?? NONE;
  const total = { ...NONE };
  for (const q of queues) {
    for (const state of STATES) total[state] += q[state];
    total.oldestWaitingMs = Math.max(total.oldestWaitingMs, q.oldestWaitingMs);
  }
  return total;
}

/**
 * The charts' points: counts as sampled, and per second the jobs that reached completed,
 * failed (for good) or cancelled since the sample before (never below 0: cleanup deletes).
 * @example points(samples, null).at(-1).completedPerSec   // jobs of all queues completed per second lately
 */
export function points(samples, name) {
  const out = [];
  let before;
  for (const sample of samples) {
    const now = statsAt(sample, name);
    const seconds = before ? Math.max(0.001, (sample.t - before.t) / 1000) : 0;
    const perSec = (state) => (before ? Math.max(0, now[state] - before.stats[state]) / seconds : 0);
    out.push({
      t: sample.t, waiting: now.waiting, delayed: now.delayed, running: now.running,
      completedPerSec: perSec('completed'), failedPerSec: perSec('failed'), cancelledPerSec: perSec('cancelled'),
      oldestS: now.oldestWaitingMs / 1000,
    });
    before = { t: sample.t, stats: now };
  }
  return out;
}

/** The three charts of a queue (`name`) or of all queues (null): `{ els, set(samples), destroy() }`. */
export function queueCharts(name) {
  const whose = name === null ? 'all queues' : 'this queue';
  const count = (v) => (v == null ? '–' : num(Math.round(v)));
  const charts = [
    lineChart('Jobs waiting and running', [
      { label: 'due', value: (p) => p.waiting }, { label: 'delayed', value: (p) => p.delayed }, { label: 'running', value: (p) => p.running },
    ], { note: `${whose}; due jobs wait for a worker, delayed ones for their time`, format: count, whole: true, testid: 'chart-queue-jobs' }),
    lineChart('Jobs finished per second', [
      { label: 'completed', value: (p) => p.completedPerSec }, { label: 'failed', value: (p) => p.failedPerSec }, { label: 'cancelled', value: (p) => p.cancelledPerSec },
    ], { note: `${whose}; failed: past their last attempt (a retry is not counted)`, testid: 'chart-queue-finished' }),
    lineChart('Oldest due job waits', [{ label: 'seconds', value: (p) => p.oldestS }],
      { note: `${whose}; how long the longest-waiting due job has waited`, testid: 'chart-queue-oldest' }),
  ];
  return {
    els: charts.map((c) => c.el),
    set(samples) {
      const shown = points(samples, name);
      for (const chart of charts) chart.set(shown);
    },
    destroy() {
      for (const chart of charts) chart.destroy();
    },
  };
}
