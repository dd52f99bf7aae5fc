/**
 * The overview's live figures: what this process can observe of a store that other
 * processes write. A store's `metrics()` counts only its own operations, and the dashboard's
 * store only reads; so each sample combines
 * - row counts per table and runs per status (every process's writes, as net changes),
 * - each queue's jobs by state, its limit and the age of its oldest due job (`store.queue.stats()`),
 * - the file's and the WAL's size on disk,
 * - how long the sample's own reads took (what a reader meets while writers work),
 * - this process's own `store.metrics()` (the write path when the dashboard runs inside a runner).
 * Sampling spends at most about 1/20 of one reader's time: when samples take d ms (a moving
 * average, the first one, which starts the reader threads, left out) the next waits
 * max(intervalMs, 20·d), and never more than 10 intervals.
 *
 * @example
 * ```ts
 * const sampler = new Sampler(store, { intervalMs: 1000, historyMs: 600_000 });
 * sampler.on('sample', (s) => console.log(s.counts.runs.total));
 * ```
 */
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { QueueStats } from '../domains/queue/schema.ts';
import type { Store } from '../store.ts';
import { COUNTED_TABLES, domainCounts, type DomainCounts, queryOf } from './queries.ts';

/** A sample never waits for the next sooner than this many times its own duration… */
const COST_FACTOR = 20;
/** …nor longer than this many intervals. */
const MAX_INTERVALS = 10;
/**
 * The queues a sample keeps, by name: every sample of the history travels to each page that
 * opens the live stream, so a store of thousands of queues must not make each sample as large.
 */
export const SAMPLED_QUEUES = 100;

export interface Sample {
  /** Milliseconds since the epoch. */
  t: number;
  counts: DomainCounts;
  /** Per queue (the first {@link SAMPLED_QUEUES} by name): jobs by state, its limit, its oldest due job's age. */
  queues: QueueStats[];
  /** Whether the store holds more queues than `queues` shows. */
  moreQueues: boolean;
  /** Net rows per second since the previous sample, by domain (every process). */
  rowsPerSec: Record<string, number>;
  /** Runs per second that reached completed, failed or cancelled since the previous sample. */
  runsFinishedPerSec: number;
  fileBytes: number | null;
  walBytes: number | null;
  /** How long this sample's reads took; null for the first, whose reads also started the reader threads. */
  probeMs: number | null;
  /** This process's own store: what it read and wrote. */
  self: {
    readsPerSec: number;
    writesPerSec: number;
    averageWriteBatch: number;
    commitP50Ms: number;
    commitP99Ms: number;
    busyRetries: number;
    queueDepth: number;
  };
}

export interface SamplerOptions {
  intervalMs: number;
  historyMs: number;
  logger?: Logger;
}

const FINISHED = ['completed', 'failed', 'cancelled'];

function domainRows(counts: DomainCounts): Record<string, number> {
  const rows: Record<string, number> = { runs: counts.runs.total };
  for (const [domain, tables] of Object.entries(COUNTED_TABLES)) rows[domain] = tables.reduce((sum, t) => sum + (counts.tables[t] ?? 0), 0);
  return rows;
}

async function sizeOf(file: string): Promise<number | null> {
  return stat(file).then((s) => s.size, () => null);
}

export class Sampler extends EventEmitter<{ sample: [Sample] }> {
  readonly #store: Store;
  readonly #options: SamplerOptions;
  readonly #history: Sample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #samples = 0;
  #averageCost = 0;
  #previousSelf: { t: number; reads: number; writes: number; writeBatches: number; busyRetries: number } | undefined;

  constructor(store: Store, options: SamplerOptions) {
    super();
    this.#store = store;
    this.#options = options;
  }

  /** Samples now, then on; resolves after the first sample (or its failure, which is logged). */
  async start(): Promise<void> {
    await this.#tick();
  }

  history(): readonly Sample[] {
    return this.#history;
  }

  latest(): Sample | undefined {
    return this.#history.at(-1);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #tick(): Promise<void> {
    const began = performance.now();
    this.#running = this.#sample().then(
      (sample) => {
        this.#history.push(sample);
        while (this.#history.length > 0 && this.#history[0]!.t < sample.t - this.#options.historyMs) this.#history.shift();
        this.emit('sample', sample);
      },
      (error: unknown) => this.#options.logger?.warn({ err: error }, 'flowstore ui: a sample failed'),
    ).finally(() => {
      if (this.#stopped) return;
      const cost = performance.now() - began;
      const n = ++this.#samples;
      // The first sample starts the reader threads: its cost says nothing of the next ones'.
      if (n === 2) this.#averageCost = cost;
      else if (n > 2) this.#averageCost = 0.8 * this.#averageCost + 0.2 * cost;
      const { intervalMs } = this.#options;
      this.#timer = setTimeout(() => void this.#tick(), Math.min(MAX_INTERVALS * intervalMs, Math.max(intervalMs, COST_FACTOR * this.#averageCost)));
      this.#timer.unref();
    });
    return this.#running;
  }

  async #sample(): Promise<Sample> {
    const store = this.#store;
    const file = store.path === ':memory:' ? undefined : store.path;
    const began = performance.now();
    const [counts, queues, fileBytes, walBytes] = await Promise.all([
      domainCounts(queryOf(store)),
      store.queue.stats(),
      file ? sizeOf(file) : null,
      file ? sizeOf(`${file}-wal`) : null,
    ]);
    const probeMs = performance.now() - began;
    const t = Date.now();
    const metrics = await store.metrics();
    const previous = this.latest();
    const seconds = previous ? Math.max(0.001, (t - previous.t) / 1000) : 0;
    const rows = domainRows(counts);
    const before = previous ? domainRows(previous.counts) : undefined;
    const finished = (c: DomainCounts) => FINISHED.reduce((sum, s) => sum + (c.runs.byStatus[s] ?? 0), 0);
    const self = this.#previousSelf;
    const perSec = (now: number, then: number | undefined) => (then === undefined || seconds === 0 ? 0 : Math.max(0, now - then) / seconds);
    const batches = self ? metrics.writeBatches - self.writeBatches : 0;
    this.#previousSelf = { t, reads: metrics.reads, writes: metrics.writes, writeBatches: metrics.writeBatches, busyRetries: metrics.busyRetries };
    return {
      t,
      counts,
      queues: queues.slice(0, SAMPLED_QUEUES),
      moreQueues: queues.length > SAMPLED_QUEUES,
      rowsPerSec: Object.fromEntries(Object.entries(rows).map(([domain, n]) => [domain, before ? (n - before[domain]!) / Math.max(seconds, 0.001) : 0])),
      runsFinishedPerSec: previous ? perSec(finished(counts), finished(previous.counts)) : 0,
      fileBytes,
      walBytes,
      probeMs: previous ? probeMs : null,
      self: {
        readsPerSec: perSec(metrics.reads, self?.reads),
        writesPerSec: perSec(metrics.writes, self?.writes),
        averageWriteBatch: batches > 0 ? (metrics.writes - self!.writes) / batches : 0,
        commitP50Ms: metrics.commitMs.p50,
        commitP99Ms: metrics.commitMs.p99,
        busyRetries: self ? metrics.busyRetries - self.busyRetries : 0,
        queueDepth: metrics.queueDepth,
      },
    };
  }
}
