/**
 * store.runs on PostgreSQL (issue 12), when FLOWSTORE_BENCH_POSTGRES_URL names a server:
 * beside what a user writes by hand with `pg`, the same upsert and the same values, in
 * a schema of its own. Raw writes: a pg.Pool of 10 with one autocommit upsert per call,
 * and one pipelined client committing 32 upserts per transaction (the limit at 64 in
 * flight); raw reads: the pool's point read and the same decoding.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import pg from 'pg';
import { Codec, fromJsonText, toJsonText, toSqlTime } from '../../src/codec.ts';
import { DEFAULT_COMPRESSION_LEVEL, DEFAULT_COMPRESSION_THRESHOLD_BYTES } from '../../src/options.ts';
import { UPSERT_RUN } from '../../src/domains/runs/postgres.ts';
import { openStore, type Store, type WorkflowStateInput } from '../../src/index.ts';
import type { BenchCase, BenchPair } from '../case.ts';
import { idleProcessTimer, IN_FLIGHT, inFlight } from '../shared.ts';

const URL_ = process.env.FLOWSTORE_BENCH_POSTGRES_URL;
const PER_ITERATION = 1000;
const RUN_IDS = 10_000;
const PER_TRANSACTION = 32;
const LOAD = 'SELECT pipeline_context, last_step_output FROM workflow_state WHERE run_id = $1';

function state(i: number): WorkflowStateInput {
  return {
    pipelineId: `pipeline_${i % 20}`, pipelineName: `Pipeline ${i % 20}`, pipelineVersion: '1.0.0', currentStepIndex: i % 7,
    pipelineContext: { input: `s3://bucket/input/${i}.csv`, rows: i * 13, tags: ['etl', 'nightly', 'customer'], notes: 'x'.repeat(700) },
    lastStepOutput: { status: 'success', rowsProcessed: i * 13, durationMs: i % 1000 },
    status: i % 10 === 0 ? 'failed' : 'running', totalSteps: 7, errorMessage: i % 10 === 0 ? 'step 3 timed out' : null,
    executionTimeMs: i % 5000, memoryUsageMb: 40 + (i % 30),
  };
}

/** What the upsert binds for state i, encoded once outside the timing. */
const encoded = Array.from({ length: PER_ITERATION }, (_, i) => {
  const s = state(i);
  return [s.pipelineId, s.pipelineName, s.pipelineVersion, s.currentStepIndex ?? 0, Buffer.from(toJsonText(s.pipelineContext)),
    Buffer.from(toJsonText(s.lastStepOutput)), s.status, null, null, s.totalSteps ?? 0, s.errorMessage ?? null,
    s.executionTimeMs ?? null, s.memoryUsageMb ?? null];
});
const values = (i: number) => [`run_${i % RUN_IDS}`, ...encoded[i % PER_ITERATION]!, toSqlTime(new Date())];

/** A flowstore store and a raw schema, both with RUN_IDS runs, and a raw pool on the raw schema. */
async function pair(): Promise<{ store: Store; pool: pg.Pool; rawSchema: string; drop: () => Promise<void> }> {
  const storeSchema = `bench_fs_${randomUUID().slice(0, 8)}`;
  const rawSchema = `bench_raw_${randomUUID().slice(0, 8)}`;
  const store = await openStore({ path: URL_!, postgres: { schema: storeSchema } });
  const admin = new pg.Client({ connectionString: URL_ });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${rawSchema}; SET search_path = ${rawSchema}; SET TimeZone = 'UTC';`);
  await admin.query(readFileSync(new URL('../../migrations/postgres/0001_runs.sql', import.meta.url), 'utf8'));
  const pool = new pg.Pool({ connectionString: URL_, max: 10, options: `-c search_path=${rawSchema} -c TimeZone=UTC` });
  await inFlight(RUN_IDS, (i) => Promise.all([store.runs.saveState(`run_${i}`, state(i)), pool.query({ name: 'upsert', text: UPSERT_RUN, values: values(i) })]));
  const drop = async () => {
    await store.close();
    await pool.end();
    await admin.query(`DROP SCHEMA ${rawSchema} CASCADE; DROP SCHEMA ${storeSchema} CASCADE`);
    await admin.end();
  };
  return { store, pool, rawSchema, drop };
}

function saves(store: Store): () => Promise<unknown> {
  let base = 0;
  return () => {
    const offset = (base += PER_ITERATION);
    return inFlight(PER_ITERATION, (i) => store.runs.saveState(`run_${(offset + i) % RUN_IDS}`, state(i)));
  };
}

const autocommit: BenchCase = {
  name: 'postgres: runs.saveState, 64 in flight',
  rawLabel: 'pg.Pool (10), one autocommit upsert per call, 64 in flight',
  ops: PER_ITERATION,
  target: 1.5,
  async setup(): Promise<BenchPair> {
    const { store, pool, drop } = await pair();
    let base = 0;
    return {
      flowstore: saves(store),
      raw: () => {
        const offset = (base += PER_ITERATION);
        return inFlight(PER_ITERATION, (i) => pool.query({ name: 'upsert', text: UPSERT_RUN, values: values(offset + i) }));
      },
      teardown: drop,
    };
  },
};

const pipelined: BenchCase = {
  name: 'postgres: runs.saveState vs the pipelined limit',
  rawLabel: `one pipelined pg.Client, ${PER_TRANSACTION} upserts per transaction, 64 in flight`,
  ops: PER_ITERATION,
  target: 0.8,
  async setup(): Promise<BenchPair> {
    const { store, rawSchema, drop } = await pair();
    const client = new pg.Client({ connectionString: URL_, pipeline: true, options: `-c search_path=${rawSchema} -c TimeZone=UTC` } as pg.ClientConfig);
    await client.connect();
    let base = 0;
    const transaction = (from: number) => {
      void client.query('BEGIN');
      for (let i = from; i < from + PER_TRANSACTION; i++) void client.query({ name: 'upsert', text: UPSERT_RUN, values: values(i) });
      return client.query('COMMIT');
    };
    return {
      flowstore: saves(store),
      raw: async () => {
        const offset = (base += PER_ITERATION);
        // Two transactions of 32 outstanding: 64 upserts in flight.
        let next = 0;
        const lane = async () => {
          while (next < PER_ITERATION) {
            const from = next;
            next += PER_TRANSACTION;
            await transaction(offset + from);
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT / PER_TRANSACTION }, lane));
      },
      teardown: async () => {
        await client.end();
        await drop();
      },
    };
  },
};

const reads: BenchCase = {
  name: 'postgres: runs.loadState, 64 in flight',
  rawLabel: 'pg.Pool (10) point read and the same decoding, 64 in flight',
  ops: PER_ITERATION,
  target: 0.8,
  async setup(): Promise<BenchPair> {
    const { store, pool, drop } = await pair();
    let base = 0;
    return {
      flowstore: () => {
        const offset = (base += PER_ITERATION);
        return inFlight(PER_ITERATION, (i) => store.runs.loadState(`run_${(offset + i) % RUN_IDS}`));
      },
      raw: () => {
        const offset = (base += PER_ITERATION);
        return inFlight(PER_ITERATION, async (i) => {
          const row = (await pool.query({ name: 'load', text: LOAD, values: [`run_${(offset + i) % RUN_IDS}`] })).rows[0];
          return [fromJsonText(row.pipeline_context.toString()), fromJsonText(row.last_step_output.toString())];
        });
      },
      teardown: drop,
    };
  },
};

/**
 * The calling thread's time waiting for a core since it started, in ms (Linux's schedstat:
 * time on a core, time runnable but waiting, slices), or 0 where there is none.
 */
const SCHEDSTAT = '/proc/thread-self/schedstat';
const hasSchedstat = existsSync(SCHEDSTAT);
const waitedForCoreMs = () => (hasSchedstat ? Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[1]) / 1e6 : 0);

/** Runs whose context is a ~200 KB JSON document (stored deflated): decoding one takes milliseconds. */
const LARGE_RUNS = 16;
function largeState(i: number): WorkflowStateInput {
  const rows = Array.from({ length: 2000 }, (_, r) => ({ id: r, name: `row ${r} of run ${i}`, tags: ['a', 'b', 'c'], value: r * 1.5, at: new Date(r * 1000) }));
  return { ...state(i), pipelineContext: { rows } };
}

const largeValues: BenchCase = {
  name: 'postgres: event-loop delay while loadState decodes 16 ~200 KB values',
  rawLabel: 'pg.Pool point reads, inflate and JSON decoding on the main thread',
  ops: LARGE_RUNS,
  async setup(): Promise<BenchPair> {
    const schema = `bench_fs_${randomUUID().slice(0, 8)}`;
    const store = await openStore({ path: URL_!, postgres: { schema } });
    await inFlight(LARGE_RUNS, (i) => store.runs.saveState(`large_${i}`, largeState(i)));
    const pool = new pg.Pool({ connectionString: URL_, max: 10, options: `-c search_path=${schema}` });
    const codec = new Codec({ thresholdBytes: DEFAULT_COMPRESSION_THRESHOLD_BYTES, level: DEFAULT_COMPRESSION_LEVEL });
    const loadAll = (load: (runId: string) => Promise<unknown>) => inFlight(LARGE_RUNS, (i) => load(`large_${i}`));
    const rawLoad = async (runId: string) => {
      const row = (await pool.query({ name: 'load', text: LOAD, values: [runId] })).rows[0];
      return [codec.decodeJson(row.pipeline_context), codec.decodeJson(row.last_step_output)];
    };
    // Each run's timer gaps, and V8's pauses: the caller's heap grows by 16 decoded values
    // a run, and its collector's pauses are no decoder's. A gap that a pause overlaps is
    // counted apart. Of each gap, the time the thread waited for a core (on two cores the
    // server and the readers share) is no code's either: what is left is what held it (or
    // made it sleep: a lock, a page fault).
    const pauses: { start: number; end: number }[] = [];
    const gc = new PerformanceObserver((list) => { for (const e of list.getEntries()) pauses.push({ start: e.startTime, end: e.startTime + e.duration }); });
    gc.observe({ entryTypes: ['gc'] });
    type Gap = { start: number; end: number; waitedMs: number };
    const gaps = { flowstore: [] as Gap[], raw: [] as Gap[] };
    // And what the machine alone does meanwhile to the timer of a process that runs nothing else.
    const control = await idleProcessTimer();
    const machine = { flowstore: 0, raw: 0 };
    const measured = async (side: keyof typeof gaps, load: (runId: string) => Promise<unknown>) => {
      control.start();
      let last = performance.now();
      let waited = waitedForCoreMs();
      const timer = setInterval(() => {
        const now = performance.now();
        const waitedNow = waitedForCoreMs();
        if (now - last > 2) gaps[side].push({ start: last, end: now, waitedMs: waitedNow - waited });
        last = now;
        waited = waitedNow;
      }, 1);
      await loadAll(load);
      clearInterval(timer);
      machine[side] = Math.max(machine[side], await control.stop());
    };
    const worst = (side: keyof typeof gaps, withGc: boolean, held = false) => Math.max(0, ...gaps[side]
      .filter((g) => pauses.some((p) => p.start < g.end && p.end > g.start) === withGc)
      .map((g) => g.end - g.start - (held ? g.waitedMs : 0)));
    return {
      flowstore: () => measured('flowstore', (id) => store.runs.loadState(id)),
      raw: () => measured('raw', rawLoad),
      notes: () => ({
        flowstoreMaxTimerDelayMs: worst('flowstore', false), flowstoreMaxTimerDelayWithGcMs: worst('flowstore', true),
        flowstoreMaxHeldMs: worst('flowstore', false, true),
        rawMaxTimerDelayMs: worst('raw', false), rawMaxTimerDelayWithGcMs: worst('raw', true), rawMaxHeldMs: worst('raw', false, true),
        maxGcPauseMs: Math.max(0, ...pauses.map((p) => p.end - p.start)),
        idleProcessMaxTimerDelayMs: machine.flowstore, idleProcessMaxTimerDelayBesideRawMs: machine.raw,
      }),
      teardown: async () => {
        gc.disconnect();
        control.close();
        await store.close();
        await pool.end();
        const admin = new pg.Client({ connectionString: URL_ });
        await admin.connect();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  },
};

export const cases: BenchCase[] = URL_ ? [autocommit, pipelined, reads, largeValues] : [];
