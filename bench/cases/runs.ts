/** store.runs workloads (issue 2), each beside raw node:sqlite doing the same SQL on the main thread. */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { fromJsonText, toJsonText, toSqlTime } from '../../src/codec.ts';
import { prepareRuns } from '../../src/domains/runs/sqlite.ts';
import { openStore, type Store, type WorkflowStateInput } from '../../src/index.ts';
import type { BenchCase, BenchContext } from '../case.ts';
import { backgroundDone, inFlight, openRaw, rssPeak } from '../shared.ts';

const PER_ITERATION = 1000;
const RUN_IDS = 10_000;

/** A ~1 KB state, like a pipeline step's context and output. */
function state(i: number): WorkflowStateInput {
  return {
    pipelineId: `pipeline_${i % 20}`,
    pipelineName: `Pipeline ${i % 20}`,
    pipelineVersion: '1.0.0',
    currentStepIndex: i % 7,
    pipelineContext: { input: `s3://bucket/input/${i}.csv`, rows: i * 13, tags: ['etl', 'nightly', 'customer'], notes: 'x'.repeat(700) },
    lastStepOutput: { status: 'success', rowsProcessed: i * 13, durationMs: i % 1000 },
    status: i % 10 === 0 ? 'failed' : 'running',
    totalSteps: 7,
    errorMessage: i % 10 === 0 ? 'step 3 timed out' : null,
    executionTimeMs: i % 5000,
    memoryUsageMb: 40 + (i % 30),
  };
}


/** A raw connection on its own file with flowstore's schema and statements. */
function rawDb(ctx: BenchContext, name: string, synchronous: 'NORMAL' | 'FULL' = 'NORMAL', schema: string | null = '0001_runs.sql') {
  const db = openRaw(ctx, name, schema, synchronous);
  const sql = prepareRuns(db);
  // Encoded once, outside the timing: raw gets the same encoded values for free.
  const encoded = Array.from({ length: PER_ITERATION }, (_, i) => {
    const s = state(i);
    return [s.pipelineId, s.pipelineName, s.pipelineVersion, s.currentStepIndex ?? 0, toJsonText(s.pipelineContext), toJsonText(s.lastStepOutput), s.status, null, null, s.totalSteps ?? 0, s.errorMessage ?? null, s.executionTimeMs ?? null, s.memoryUsageMb ?? null] as const;
  });
  const upsertId = (runId: string, i: number) => {
    sql.saveRun([runId, ...encoded[i % PER_ITERATION]!, toSqlTime(new Date())]);
  };
  const upsert = (i: number) => upsertId(`run_${i % RUN_IDS}`, i);
  return { db, sql, upsert, upsertId };
}

async function storeWithRuns(ctx: BenchContext, options: Parameters<typeof openStore>[0] = {}): Promise<Store> {
  const store = await openStore({ path: join(ctx.dir, 'flowstore.db'), ...options });
  await inFlight(RUN_IDS, (i) => store.runs.saveState(`run_${i}`, state(i)));
  return store;
}

const upserts: BenchCase = {
  name: 'runs.saveState, 64 in flight',
  rawLabel: 'same upsert (saveRun), same encoded values, 1,000 per transaction',
  ops: PER_ITERATION,
  target: 0.4,
  async setup(ctx) {
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
    const raw = rawDb(ctx, 'raw.db');
    const rss = rssPeak();
    let base = 0;
    return {
      flowstore: () => {
        const offset = (base += PER_ITERATION);
        return inFlight(PER_ITERATION, (i) => store.runs.saveState(`run_${(offset + i) % RUN_IDS}`, state(i)));
      },
      drained: backgroundDone,
      raw: () => {
        raw.db.exec('BEGIN IMMEDIATE');
        for (let i = 0; i < PER_ITERATION; i++) raw.upsert(base + i);
        raw.db.exec('COMMIT');
      },
      notes: rss.notes,
      teardown: async () => {
        rss.stop();
        const m = await store.metrics();
        console.log(`  flowstore write batches: average ${m.averageWriteBatch.toFixed(1)}, commit p50 ${m.commitMs.p50.toFixed(2)} ms`);
        await store.close();
        raw.db.close();
      },
    };
  },
};

const BURST = 50_000;
/** Where a burst's caller yields to the event loop, as a runner looping over a backlog would. */
const BURST_YIELD_EVERY = 10_000;

/**
 * A runner that falls behind issues a burst of saves without awaiting any, yielding every
 * 10,000. Issue 24's case, `waits`: past the mark each call waits its turn, and the whole
 * burst is one `Promise.all`. Issue 15's, `pauses on needsDrain`: the caller stops when the
 * store asks it to and awaits `drained()`, so nothing waits. Peak RSS is printed with each.
 */
function burstCase(pauses: boolean): BenchCase {
  return {
    name: `runs.saveState, unawaited burst of 50,000, ${pauses ? 'pauses on needsDrain' : 'waits'}`,
    rawLabel: 'same upsert (saveRun), same encoded values, 1,000 per transaction',
    ops: BURST,
    async setup(ctx) {
      const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
      const raw = rawDb(ctx, 'raw.db');
      const rss = rssPeak();
      let base = 0;
      return {
        flowstore: async () => {
          const offset = (base += BURST);
          const writes: Promise<void>[] = [];
          for (let i = 0; i < BURST; i++) {
            writes.push(store.runs.saveState(`run_${(offset + i) % RUN_IDS}`, state(i)));
            if (pauses && store.needsDrain) await store.drained();
            else if (i % BURST_YIELD_EVERY === BURST_YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
          }
          await Promise.all(writes);
        },
        drained: backgroundDone,
        raw: () => {
          for (let b = 0; b < BURST; b += PER_ITERATION) {
            raw.db.exec('BEGIN IMMEDIATE');
            for (let i = 0; i < PER_ITERATION; i++) raw.upsert(base + b + i);
            raw.db.exec('COMMIT');
          }
        },
        notes: rss.notes,
        teardown: async () => {
          rss.stop();
          const { writes } = (await store.metrics()).backpressure;
          console.log(`  flowstore backpressure: ${JSON.stringify(writes)}`);
          await store.close();
          raw.db.close();
        },
      };
    },
  };
}

/**
 * A populated store, and a raw read-only connection on the same file whose `load` does
 * what loadState does: the point read and the decoding of both stored values.
 */
async function readPair(ctx: BenchContext, options: Parameters<typeof openStore>[0] = {}) {
  const store = await storeWithRuns(ctx, options);
  const raw = new DatabaseSync(join(ctx.dir, 'flowstore.db'), { readOnly: true });
  // Rows as objects, as node:sqlite gives them unless told otherwise (flowstore's own reads take arrays).
  const statement = prepareRuns(raw).load as StatementSync;
  statement.setReturnArrays(false);
  const load = (runId: string) => {
    const row = statement.get(runId) as { pipeline_context: string; last_step_output: string };
    return [fromJsonText(row.pipeline_context), fromJsonText(row.last_step_output)];
  };
  const teardown = async () => {
    await store.close();
    raw.close();
  };
  return { store, load, teardown };
}

const pointReads: BenchCase = {
  name: 'runs.loadState, 64 in flight',
  rawLabel: 'point read by key + JSON decode, main thread',
  ops: PER_ITERATION,
  target: 0.7,
  async setup(ctx) {
    const { store, load, teardown } = await readPair(ctx);
    let n = 0;
    return {
      flowstore: () => inFlight(PER_ITERATION, () => store.runs.loadState(`run_${(n++ * 7919) % RUN_IDS}`)),
      raw: () => {
        for (let i = 0; i < PER_ITERATION; i++) load(`run_${(n++ * 7919) % RUN_IDS}`);
      },
      teardown,
    };
  },
};

/**
 * The same reads with 1, 2 and 4 reader threads. On this project's 2-core machines more
 * than two cannot help; on a machine with more cores, reads should scale with `readers`.
 */
const readerCounts: BenchCase[] = [1, 2, 4].map((readers) => ({
  name: `runs.loadState, 64 in flight, readers: ${readers}`,
  rawLabel: 'point read by key + JSON decode, main thread',
  ops: PER_ITERATION,
  async setup(ctx) {
    const { store, load, teardown } = await readPair(ctx, { readers });
    let n = 0;
    return {
      flowstore: () => inFlight(PER_ITERATION, () => store.runs.loadState(`run_${(n++ * 7919) % RUN_IDS}`)),
      raw: () => {
        for (let i = 0; i < PER_ITERATION; i++) load(`run_${(n++ * 7919) % RUN_IDS}`);
      },
      notes: () => ({ readers, cores: availableParallelism() }),
      teardown,
    };
  },
}));

const sequentialWrite: BenchCase = {
  name: 'runs.saveState, sequential (latency)',
  rawLabel: 'one upsert per autocommit, main thread',
  ops: 1,
  async setup(ctx) {
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
    const raw = rawDb(ctx, 'raw.db');
    let n = 0;
    return {
      flowstore: () => store.runs.saveState(`run_${n++ % RUN_IDS}`, state(n)),
      raw: () => raw.upsert(n++),
      teardown: async () => {
        await store.close();
        raw.db.close();
      },
    };
  },
};

const sequentialRead: BenchCase = {
  name: 'runs.loadState, sequential (latency)',
  rawLabel: 'point read + JSON decode, main thread',
  ops: 1,
  async setup(ctx) {
    const { store, load, teardown } = await readPair(ctx);
    let n = 0;
    return {
      flowstore: () => store.runs.loadState(`run_${n++ % RUN_IDS}`),
      raw: () => load(`run_${n++ % RUN_IDS}`),
      teardown,
    };
  },
};

const durableUpserts: BenchCase = {
  name: "runs.saveState, durability 'full', 64 in flight",
  rawLabel: 'one upsert per autocommit, synchronous=FULL',
  ops: { flowstore: PER_ITERATION, raw: 100 },
  target: 10,
  async setup(ctx) {
    // Both sides start from the same 10,000 runs and go round them, saving each in turn.
    const store = await storeWithRuns(ctx, { durability: 'full' });
    const raw = rawDb(ctx, 'raw.db', 'FULL');
    raw.db.exec('BEGIN');
    for (let i = 0; i < RUN_IDS; i++) raw.upsert(i);
    raw.db.exec('COMMIT');
    let base = 0;
    let rawNext = 0;
    return {
      flowstore: () => {
        const offset = (base += PER_ITERATION);
        return inFlight(PER_ITERATION, (i) => store.runs.saveState(`run_${(offset + i) % RUN_IDS}`, state(i)));
      },
      drained: backgroundDone,
      raw: () => {
        for (let i = 0; i < 100; i++) raw.upsert(rawNext++);
      },
      teardown: async () => {
        await store.close();
        raw.db.close();
      },
    };
  },
};

/** The document's "average execution time by pipeline" query: no index helps it, it scans. */
const SCAN = `SELECT pipeline_name, COUNT(*) AS total_runs, AVG(execution_time_ms) AS avg_execution_time,
  MAX(execution_time_ms) AS max_execution_time, MIN(execution_time_ms) AS min_execution_time
  FROM workflow_state WHERE execution_time_ms IS NOT NULL GROUP BY pipeline_name ORDER BY avg_execution_time DESC`;

/** Largest gap between ticks of a 1 ms timer while `work` runs. */
export async function maxTimerDelay(work: () => unknown): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  last = performance.now();
  await work();
  await new Promise((resolve) => setTimeout(resolve, 2));
  clearInterval(timer);
  return worst;
}

const scanDelay: BenchCase = {
  name: 'event-loop delay during a ~200 ms scan',
  rawLabel: 'the same query on the main thread',
  ops: 1,
  async setup(ctx) {
    // flowstore creates the file (and records its migrations); raw inserts fill it fast.
    await (await openStore({ path: join(ctx.dir, 'flowstore.db') })).close();
    const raw = rawDb(ctx, 'flowstore.db', 'NORMAL', null);
    // Grow the table until the scan takes about 200 ms on this machine.
    let rows = 0;
    let scanMs = 0;
    const scan = raw.db.prepare(SCAN);
    while (scanMs < 200 && rows < 4_000_000) {
      raw.db.exec('BEGIN');
      for (let i = 0; i < 100_000; i++) raw.upsertId(`scan_${rows + i}`, i);
      raw.db.exec('COMMIT');
      rows += 100_000;
      const started = performance.now();
      scan.all();
      scanMs = performance.now() - started;
    }
    raw.db.close();
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
    // The target, measured as it is stated: a 1 ms timer while each of 20 scans runs, one after another.
    const direct: number[] = [];
    for (let i = 0; i < 20; i++) direct.push(await maxTimerDelay(() => store.query(SCAN)));
    const rawRead = new DatabaseSync(join(ctx.dir, 'flowstore.db'), { readOnly: true });
    const rawScan = rawRead.prepare(SCAN);
    const flowstoreGaps: number[] = [];
    const rawGaps: number[] = [];
    const p99 = (gaps: number[]) => [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length * 0.99)] ?? 0;
    return {
      flowstore: async () => {
        flowstoreGaps.push(await maxTimerDelay(() => store.query(SCAN)));
      },
      raw: async () => {
        rawGaps.push(await maxTimerDelay(() => rawScan.all()));
      },
      notes: () => ({
        rows, scanMs: Math.round(scanMs),
        maxTimerDelayMs20Scans: Math.max(...direct), targetMaxDelayMs: 20,
        // Inside tinybench's loop one early sample stalls for about a scan's length (seen only there, not reproduced
        // outside the harness); its p99 over every sample and the raw figure are kept for comparison.
        tinybenchP99TimerDelayMs: p99(flowstoreGaps), tinybenchMaxTimerDelayMs: Math.max(...flowstoreGaps),
        rawMaxTimerDelayMs: Math.max(...rawGaps),
      }),
      teardown: async () => {
        await store.close();
        rawRead.close();
      },
    };
  },
};

export const cases: BenchCase[] = [upserts, burstCase(false), burstCase(true), pointReads, ...readerCounts, sequentialWrite, sequentialRead, durableUpserts, scanDelay];
