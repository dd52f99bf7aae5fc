/** Counters kept on the main thread from what the workers report with each batch. */
import type { BacklogKind, BacklogSnapshot } from './backlog.ts';

const WINDOW = 4096;

export interface MetricsSnapshot {
  readonly reads: number;
  readonly writes: number;
  readonly failed: number;
  readonly readBatches: number;
  readonly writeBatches: number;
  readonly averageReadBatch: number;
  readonly averageWriteBatch: number;
  readonly maxWriteBatch: number;
  /** Latency of the last commits (BEGIN to COMMIT on the writer), in milliseconds. */
  readonly commitMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly busyRetries: number;
  readonly queueDepth: number;
  readonly walBytes: number;
  readonly workerRestarts: number;
  /** Per kind: the high-water mark, the depth now and at its highest, and how often callers were held back. */
  readonly backpressure: Readonly<Record<BacklogKind, BacklogSnapshot>>;
}

export class Metrics {
  reads = 0;
  writes = 0;
  failed = 0;
  readBatches = 0;
  writeBatches = 0;
  maxWriteBatch = 0;
  busyRetries = 0;
  workerRestarts = 0;
  readonly #commits = new Float64Array(WINDOW);
  #commitCount = 0;

  recordRead(size: number, busyRetries: number): void {
    this.readBatches++;
    this.reads += size;
    this.busyRetries += busyRetries;
  }

  recordWrite(size: number, commitMs: number, busyRetries: number): void {
    this.writeBatches++;
    this.writes += size;
    this.busyRetries += busyRetries;
    if (size > this.maxWriteBatch) this.maxWriteBatch = size;
    this.#commits[this.#commitCount++ % WINDOW] = commitMs;
  }

  snapshot(queueDepth: number, walBytes: number, backpressure: Record<BacklogKind, BacklogSnapshot>): MetricsSnapshot {
    const sorted = this.#commits.slice(0, Math.min(this.#commitCount, WINDOW)).sort();
    const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    return {
      reads: this.reads,
      writes: this.writes,
      failed: this.failed,
      readBatches: this.readBatches,
      writeBatches: this.writeBatches,
      averageReadBatch: this.readBatches === 0 ? 0 : this.reads / this.readBatches,
      averageWriteBatch: this.writeBatches === 0 ? 0 : this.writes / this.writeBatches,
      maxWriteBatch: this.maxWriteBatch,
      commitMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) },
      busyRetries: this.busyRetries,
      queueDepth,
      walBytes,
      workerRestarts: this.workerRestarts,
      backpressure,
    };
  }
}
