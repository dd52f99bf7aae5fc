/** Issue 25's queue targets, as ratios within one run, each on the flowstore side's own ground. */
import type { QueueRow } from './workload.ts';

type Metric = 'processedPerSec' | 'enqueuePerSec' | 'p50Ms';

interface Target {
  readonly label: string;
  readonly side: string;
  readonly metric: Metric;
  /** flowstore's figure ÷ this peer's, at least `atLeast`; or, without a peer, flowstore's figure below `below`. */
  readonly peer?: string;
  readonly atLeast?: number;
  readonly below?: number;
}

const TARGETS: readonly Target[] = [
  { label: 'SQLite: processed/s ÷ BullMQ on Redis', side: 'flowstore-sqlite', peer: 'bullmq', metric: 'processedPerSec', atLeast: 3 },
  { label: 'SQLite: processed/s ÷ hand-written loop', side: 'flowstore-sqlite', peer: 'sqlite-loop', metric: 'processedPerSec', atLeast: 0.4 },
  { label: 'SQLite: enqueue/s ÷ hand-written loop', side: 'flowstore-sqlite', peer: 'sqlite-loop', metric: 'enqueuePerSec', atLeast: 0.5 },
  { label: 'SQLite: in-process enqueue→start p50, ms', side: 'flowstore-sqlite', metric: 'p50Ms', below: 2 },
  { label: 'PostgreSQL: processed/s ÷ graphile-worker', side: 'flowstore-postgres', peer: 'graphile-worker', metric: 'processedPerSec', atLeast: 1 },
  { label: 'PostgreSQL: processed/s ÷ pg-boss', side: 'flowstore-postgres', peer: 'pg-boss', metric: 'processedPerSec', atLeast: 2.5 },
  { label: 'PostgreSQL: enqueue/s ÷ graphile-worker', side: 'flowstore-postgres', peer: 'graphile-worker', metric: 'enqueuePerSec', atLeast: 1 },
  { label: 'PostgreSQL: enqueue→start p50 with LISTEN/NOTIFY, ms', side: 'flowstore-postgres', metric: 'p50Ms', below: 5 },
];

export interface TargetResult {
  readonly label: string;
  /** The ratio (or, for a latency, the milliseconds); absent when a side did not run. */
  readonly value?: number;
  readonly target: string;
  readonly met?: boolean;
  /** Why there is no value, and what flowstore's figure would have to be. */
  readonly missing?: string;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

/**
 * The targets of the flowstore sides in `selected`, worked out from the rows of one run;
 * `why` says why a side has no row.
 *
 * @example
 * checkTargets(new Set(['flowstore-sqlite', 'sqlite-loop']), rows, new Map([['flowstore-sqlite', 'skipped: …']]));
 */
export function checkTargets(selected: ReadonlySet<string>, rows: readonly QueueRow[], why: ReadonlyMap<string, string>): TargetResult[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return TARGETS.filter((t) => selected.has(t.side)).map((t) => {
    const mine = byId.get(t.side);
    const peer = t.peer === undefined ? undefined : byId.get(t.peer);
    const target = t.below === undefined ? `≥ ${t.atLeast}` : `< ${t.below}`;
    if (t.peer !== undefined && peer === undefined) {
      return { label: t.label, target, missing: `${t.peer} ${why.get(t.peer) ?? 'not run'}` };
    }
    if (mine === undefined) {
      const needs = peer === undefined ? `needs < ${t.below} ms` : `needs ≥ ${fmt(t.atLeast! * peer[t.metric])}/s`;
      return { label: t.label, target, missing: `${t.side} ${why.get(t.side) ?? 'not run'}; ${needs}` };
    }
    const value = peer === undefined ? mine[t.metric] : mine[t.metric] / peer[t.metric];
    return { label: t.label, target, value, met: t.below === undefined ? value >= t.atLeast! : value < t.below };
  });
}

/**
 * One line per target, as the issue reads them.
 *
 * @example
 * printTargets(checkTargets(rows, why));
 */
export function printTargets(results: readonly TargetResult[]): void {
  for (const r of results) {
    if (r.value === undefined) console.log(`${r.label}: n/a (${r.missing}) [target ${r.target}]`);
    else console.log(`${r.label}: ${r.value.toFixed(2)} [target ${r.target}: ${r.met ? 'met' : 'NOT met'}]`);
  }
}
