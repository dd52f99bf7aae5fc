/**
 * The queue workload (issue 25), run once per side: WARMUP_JOBS enqueued first, untimed, so
 * that no side's first call (loading its modules, preparing its statements, compiling its
 * scripts) counts as throughput; then JOBS small jobs enqueued in one batch, timed; all of
 * them processed by a no-op handler at CONCURRENCY; then PROBES jobs enqueued one at a time
 * to an idle worker, each timed from the enqueue call to its handler's start.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobPayload, QueueContext, QueueSide, Skip } from './side.ts';

/** Jobs in the throughput phase; `BENCH_QUEUE_JOBS` makes a quick run smaller. */
export const JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 20_000);
/** Enqueued before the timed batch, the same for every side; processed with it (see processedPerSec). */
export const WARMUP_JOBS = 200;
export const CONCURRENCY = 64;
export const PROBES = 200;
/** Between probes, so that each finds the worker idle again (waiting, not still busy with the last). */
const PROBE_PAUSE_MS = 10;
/** After the throughput phase, before the probes: lets batched completions and burst fetching end. */
const SETTLE_MS = 500;
/** Numbers at and above this are probes; below, throughput jobs. */
const PROBE_BASE = 1_000_000_000;
const PHASE_TIMEOUT_MS = 300_000;
const PROBE_TIMEOUT_MS = 10_000;

export interface QueueRow {
  readonly id: string;
  readonly name: string;
  readonly ground: string;
  readonly settings: string;
  readonly enqueuePerSec: number;
  readonly processedPerSec: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** Jobs not completed once the worker stopped, when the side can tell (0 expected). */
  readonly remaining?: number;
}

function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  const timer = sleep(ms, undefined, { ref: false }).then(() => { throw new Error(`timed out: ${what()}`); });
  return Promise.race([promise, timer]);
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Runs the workload on one side and tears it down, or returns the side's Skip.
 *
 * @example
 * const row = await runWorkload(createSide(), { dir });
 * if (!('skip' in row)) console.log(row.processedPerSec);
 */
export async function runWorkload(side: QueueSide, ctx: QueueContext): Promise<QueueRow | Skip> {
  const skip = await side.setup(ctx);
  if (skip) return skip;
  try {
    await side.enqueueMany(Array.from({ length: WARMUP_JOBS }, (_, n) => ({ n: JOBS + n })));
    const payloads: JobPayload[] = Array.from({ length: JOBS }, (_, n) => ({ n }));
    let started = performance.now();
    await side.enqueueMany(payloads);
    const enqueueMs = performance.now() - started;

    let done = 0;
    const allDone = Promise.withResolvers<void>();
    let probe: { n: number; started: PromiseWithResolvers<number> } | undefined;
    const handler = async (payload: JobPayload) => {
      if (payload.n < PROBE_BASE) {
        if (++done === JOBS + WARMUP_JOBS) allDone.resolve();
      } else if (payload.n === probe?.n) {
        probe.started.resolve(performance.now());
      }
    };

    started = performance.now();
    const stop = await side.work(handler, CONCURRENCY);
    let stopped = false;
    try {
      await within(allDone.promise, PHASE_TIMEOUT_MS, () => `${side.id} processed ${done} of ${JOBS + WARMUP_JOBS}`);
      const processMs = performance.now() - started;
      await sleep(SETTLE_MS);

      const latencies: number[] = [];
      for (let k = 0; k < PROBES; k++) {
        probe = { n: PROBE_BASE + k, started: Promise.withResolvers<number>() };
        const enqueuedAt = performance.now();
        await side.enqueue({ n: probe.n });
        latencies.push((await within(probe.started.promise, PROBE_TIMEOUT_MS, () => `${side.id} probe ${k}`)) - enqueuedAt);
        await sleep(PROBE_PAUSE_MS);
      }
      latencies.sort((a, b) => a - b);
      stopped = true;
      await stop();
      const remaining = await side.remaining?.();
      return {
        id: side.id, name: side.name, ground: side.ground, settings: side.settings,
        enqueuePerSec: JOBS / (enqueueMs / 1000), processedPerSec: (JOBS + WARMUP_JOBS) / (processMs / 1000),
        p50Ms: percentile(latencies, 0.5), p95Ms: percentile(latencies, 0.95), remaining,
      };
    } finally {
      // A failed phase still stops the worker, so that teardown does not drop a schema under it.
      if (!stopped) await stop().catch(() => {});
    }
  } finally {
    await side.teardown();
  }
}
