/**
 * store.queue operations: declared once, run by the workers by name. A claim is an
 * attempt: the attempt number it hands out fences every later heartbeat, completion and
 * failure of that job, which change nothing and reject with FLOWSTORE_LEASE_LOST once the
 * lease has ended, the job was cancelled, or another claim took it. Every time comes
 * from the caller's clock, in the input (`now`).
 */
import { fromWireJson, type WireJson, type Codec } from '../../codec.ts';
import { FlowstoreError } from '../../errors.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { after, defineDomain, opsOf, type Awaitable } from '../../engine/op.ts';
import { retryDelayMs } from './backoff.ts';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_MAX_ATTEMPTS } from './defaults.ts';
import { decodeJob, decodeSchedule, scheduleJobOptions } from './rows.ts';
import { prepareQueue as prepareSqlite } from './sqlite.ts';
import { prepareQueue as preparePostgres } from './postgres.ts';
import type { BulkRow, ClaimedRow, CompletedRow, JobRow, LeaseRow, QueueStatements, ScheduleRow } from './statements.ts';
import { JOB_STATES } from './states.ts';
import { JOB_VALUES, PAYLOAD_ARRAY, PAYLOAD_TEXTS } from './wire.ts';
import type * as Schemas from './schema.ts';
import type { ClaimedJob, EnqueuedJob, Job, JobError, JobState, QueueStats, Schedule } from './schema.ts';

const op = opsOf<QueueStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');

/** The error an attempt ends with when its lease ran out, or the job was cancelled under it. */
const LEASE_ENDED: JobError = { message: 'the lease ended before the attempt did', code: 'FLOWSTORE_LEASE_LOST' };
const CANCELLED: JobError = { message: 'the job was cancelled while the attempt ran', code: 'FLOWSTORE_LEASE_LOST' };
const LEASE_ENDED_JSON = JSON.stringify(LEASE_ENDED);
const CANCELLED_JSON = JSON.stringify(CANCELLED);

function leaseLost(id: number, attempt: number): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_LEASE_LOST', `job ${id}: attempt ${attempt} no longer holds the job (its lease ended, it was cancelled, or another claim took it)`, {
    details: { id, attempt },
  });
}

/**
 * Inserts one job (`values` from index `at` of a flat enqueue input, see JOB_VALUES): its
 * id, or the id of the job with the same key that waits or runs. Answers at once on SQLite.
 */
function insertJob(sql: QueueStatements, codec: Codec, queue: string, values: readonly unknown[], at: number, now: number): Awaitable<EnqueuedJob> {
  const key = values[at + 3] as string | null;
  const inserted = sql.insert(queue, codec.packText(values[at] as string), values[at + 1] as number, values[at + 2] as number, key,
    values[at + 4] as number, values[at + 5] as number, values[at + 6] as number, now);
  return after(inserted, (id) => (id !== undefined ? { id, created: true }
    : after(sql.byKey.get(queue, key), (existing) => ({ id: existing!.id as number, created: false })))) as Awaitable<EnqueuedJob>;
}

/**
 * What enqueueMany sends back: every id in one Float64Array, and which jobs were already
 * there (a key's job; absent when none was). 20,000 result objects cost ~10 ms to post.
 */
interface EnqueuedWire {
  readonly ids: Float64Array;
  readonly existing?: Uint8Array;
}

function enqueued({ ids, existing }: EnqueuedWire): EnqueuedJob[] {
  const jobs = new Array<EnqueuedJob>(ids.length);
  for (let i = 0; i < ids.length; i++) jobs[i] = { id: ids[i]!, created: existing?.[i] !== 1 };
  return jobs;
}

/** How many numbers each claimed job takes in {@link ClaimWire.numbers}, in the order of {@link claimWire}. */
const CLAIMED_NUMBERS = 8;

/**
 * What claim sends back, compact: the numbers of every job in one Float64Array (copied
 * across the thread as bytes), payloads and keys in flat arrays (keys absent when no job has
 * one), the queue once. An array of arrays per job cost the writer more to post than the
 * claim cost to run.
 */
interface ClaimWire {
  readonly numbers: Float64Array;
  readonly payloads: WireJson[];
  readonly keys?: (string | null)[];
  readonly queue: string;
  readonly workerId: string;
  readonly now: number;
  readonly leaseUntil: number;
}

function claimWire(rows: readonly ClaimedRow[], codec: Codec, queueName: string, workerId: string, now: number, leaseUntil: number): ClaimWire {
  const numbers = new Float64Array(rows.length * CLAIMED_NUMBERS);
  const payloads = new Array<WireJson>(rows.length);
  let keys: (string | null)[] | undefined;
  for (let i = 0, at = 0; i < rows.length; i++, at += CLAIMED_NUMBERS) {
    const row = rows[i]!;
    numbers[at] = row[0];
    numbers[at + 1] = row[1];
    numbers[at + 2] = row[2];
    numbers[at + 3] = row[3];
    numbers[at + 4] = row[6];
    numbers[at + 5] = row[7];
    numbers[at + 6] = row[8];
    numbers[at + 7] = row[9];
    payloads[i] = codec.toWireJson(row[4]);
    const key = row[5];
    if (key !== null) (keys ??= new Array<string | null>(rows.length).fill(null))[i] = key;
  }
  return { numbers, payloads, keys, queue: queueName, workerId, now, leaseUntil };
}

function claimed(wire: ClaimWire): ClaimedJob[] {
  const { numbers: n, payloads, keys, queue: queueName, workerId } = wire;
  const startedAt = new Date(wire.now);
  const leaseUntil = new Date(wire.leaseUntil);
  const jobs = new Array<ClaimedJob>(payloads.length);
  for (let i = 0, at = 0; i < jobs.length; i++, at += CLAIMED_NUMBERS) {
    jobs[i] = {
      id: n[at]!, queue: queueName, priority: n[at + 1]!, runAt: new Date(n[at + 2]!), createdAt: new Date(n[at + 3]!),
      payload: fromWireJson(payloads[i]!), key: keys?.[i] ?? null, attempt: n[at + 4]!, maxAttempts: n[at + 5]!,
      backoff: { baseMs: n[at + 6]!, maxMs: n[at + 7]! }, workerId, startedAt, leaseUntil,
    };
  }
  // The order the queue hands jobs out in: higher priority first, then first due, first in.
  jobs.sort((a, b) => b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || a.id - b.id);
  return jobs;
}

/**
 * A claim of a queue that has a limit, or running jobs whose lease ended: under the limit
 * (on PostgreSQL its row locked until the transaction ends), and those jobs first, failed on
 * their last attempt, claimed again as a new attempt otherwise.
 */
async function claimPast(sql: QueueStatements, queueName: string, workerId: string, limit: number, leaseUntil: number, now: number): Promise<ClaimedRow[]> {
  let take = limit;
  const { cap, expired } = (await sql.probe.get(queueName, now)) as { cap: number | null; expired: unknown };
  if (cap !== null) {
    const { n } = (await sql.running.get(queueName, now)) as { n: number };
    take = Math.min(limit, Math.max(0, cap - Number(n)));
  }
  let rows: ClaimedRow[] = [];
  if (take > 0 && expired) {
    await sql.failExpired.run(queueName, now, LEASE_ENDED_JSON);
    rows = (await sql.reclaim.all(queueName, now, leaseUntil, workerId, take, LEASE_ENDED_JSON)) as ClaimedRow[];
  }
  if (rows.length < take) rows = rows.concat((await sql.claim.all(queueName, now, leaseUntil, workerId, take - rows.length)) as ClaimedRow[]);
  return rows;
}

/** Inserts a schedule's job for its tick, when this call is the one that moves the tick forward. */
async function fire(sql: QueueStatements, codec: Codec, schedule: ScheduleRow, tick: number, now: number): Promise<boolean> {
  if (Number((await sql.advanceTick.run(schedule.name, tick)).changes) === 0) return false;
  const options = scheduleJobOptions(schedule.options);
  const payload = schedule.payload === null ? 'null' : codec.unpackText(schedule.payload);
  await insertJob(sql, codec, schedule.name, [payload, tick, options.priority, null, options.maxAttempts, options.backoff.baseMs, options.backoff.maxMs], 0, now);
  await sql.notify(schedule.name);
  return true;
}

/** The JSON text of each payload of a PAYLOAD_ARRAY, as the caller's thread wrote it (JSON.stringify gives back what it parsed). */
function payloadTexts(array: string): string[] {
  return (JSON.parse(array) as unknown[]).map((payload) => JSON.stringify(payload));
}

/**
 * Inserts enqueueMany's jobs from a flat input of `perJob` values each (PAYLOAD_TEXTS or
 * JOB_VALUES), in the order given, so that their ids keep it: each run of jobs without a key
 * whose payload is stored as it is in one insertMany, the others one by one.
 */
function insertEach(sql: QueueStatements, codec: Codec, queueName: string, now: number, perJob: number, params: readonly unknown[]): Awaitable<EnqueuedWire> {
  const plain = perJob === PAYLOAD_TEXTS;
  const ids = new Float64Array((params.length - 3) / perJob);
  let existing: Uint8Array | undefined;
  const inserts: Awaitable<void>[] = [];
  let run: BulkRow[] = [];
  let places: number[] = [];
  const insertRun = () => {
    if (run.length === 0) return;
    const at = places;
    inserts.push(after(sql.insertMany(queueName, run, now), (inserted) => {
      for (let k = 0; k < inserted.length; k++) ids[at[k]!] = inserted[k]!;
    }));
    run = [];
    places = [];
  };
  for (let at = 3, i = 0; at < params.length; at += perJob, i++) {
    const text = params[at] as string;
    if ((plain || params[at + 3] === null) && codec.packText(text) === text) {
      run.push(plain ? [text, now, 0, DEFAULT_MAX_ATTEMPTS, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS]
        : [text, params[at + 1] as number, params[at + 2] as number, params[at + 4] as number, params[at + 5] as number, params[at + 6] as number]);
      places.push(i);
      continue;
    }
    insertRun();
    const index = i;
    const job = plain ? [text, now, 0, null, DEFAULT_MAX_ATTEMPTS, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS] : params;
    inserts.push(after(insertJob(sql, codec, queueName, job, plain ? 0 : at, now), ({ id, created }) => {
      ids[index] = id;
      if (!created) (existing ??= new Uint8Array(ids.length))[index] = 1;
    }));
  }
  insertRun();
  void sql.notify(queueName);
  // PostgreSQL: every statement went out without waiting for the one before, and runs in the order sent.
  if (inserts.some((insert) => insert instanceof Promise)) return Promise.all(inserts).then(() => ({ ids, existing }));
  return { ids, existing };
}

export const queue = defineDomain('queue', { sqlite: prepareSqlite, postgres: preparePostgres }, {
  enqueue: op({
    kind: 'write',
    // A job with a key may meet the job that holds it, and then reads that one's id after the insert answered.
    pipelined: (params) => params[5] === null,
    input: s.enqueueParams,
    run({ sql, codec }, params): Awaitable<EnqueuedJob> {
      const queueName = params[0] as string;
      const job = insertJob(sql, codec, queueName, params, 2, params[1] as number);
      void sql.notify(queueName);
      return job;
    },
  }),

  enqueueMany: op({
    kind: 'write',
    // Jobs that give only a payload have no key (see enqueue).
    pipelined: (params) => params[2] !== JOB_VALUES,
    input: s.enqueueManyParams,
    run({ sql, codec }, params): Awaitable<EnqueuedWire> {
      const queueName = params[0] as string;
      const now = params[1] as number;
      const perJob = params[2] as number;
      if (perJob === PAYLOAD_ARRAY) {
        const [, , , array, longest] = params as [string, number, number, string, number];
        // A payload to compress must be stored on its own: the array is taken apart here.
        if (codec.compresses(longest)) return insertEach(sql, codec, queueName, now, PAYLOAD_TEXTS, [queueName, now, PAYLOAD_TEXTS, ...payloadTexts(array)]);
        const placed = after(sql.insertArray(queueName, array, now), (ids) => ({ ids: Float64Array.from(ids) }));
        void sql.notify(queueName);
        return placed;
      }
      return insertEach(sql, codec, queueName, now, perJob, params);
    },
    finish: enqueued,
  }),

  claim: op({
    kind: 'write',
    input: s.claimInput,
    // When the next job comes due is a read of its own (peek), after the claim has committed:
    // asked here, on PostgreSQL a round trip more would hold back the claim's commit, and the jobs.
    async run({ sql, codec }, { queue: queueName, workerId, limit, leaseMs, now }): Promise<ClaimWire> {
      const leaseUntil = now + leaseMs;
      const rows = (await sql.claimFree(queueName, now, leaseUntil, workerId, limit)) ?? (await claimPast(sql, queueName, workerId, limit, leaseUntil, now));
      return claimWire(rows, codec, queueName, workerId, now, leaseUntil);
    },
    finish: claimed,
  }),

  /** When the queue's next job becomes claimable (a read: the poll of an idle worker takes no write lock). */
  peek: op({
    kind: 'read',
    input: s.peekInput,
    async run({ sql }, { queue: queueName }): Promise<number | null> {
      return ((await sql.nextDue.get(queueName)) as { at: number | null } | undefined)?.at ?? null;
    },
  }),

  heartbeat: op({
    kind: 'write',
    input: s.heartbeatInput,
    async run({ sql }, { id, attempt, leaseMs, now }): Promise<number> {
      const leaseUntil = now + leaseMs;
      if (Number((await sql.heartbeat.run(leaseUntil, id, attempt, now)).changes) === 0) throw leaseLost(id, attempt);
      return leaseUntil;
    },
    finish: (leaseUntil: number) => new Date(leaseUntil),
  }),

  /** A worker's renewals of one turn: which leases were lost (1) or renewed (0), in order. */
  heartbeatMany: op({
    kind: 'write',
    pipelined: true,
    input: s.heartbeatManyInput,
    run({ sql }, { leases, leaseMs, now }): Awaitable<number[]> {
      const renewed = leases.map(([id, attempt]) => after(sql.heartbeat.run(now + leaseMs, id, attempt, now), (r) => (Number(r.changes) === 0 ? 1 : 0)));
      return renewed.some((r) => r instanceof Promise) ? Promise.all(renewed) : (renewed as number[]);
    },
  }),

  complete: op({
    kind: 'write',
    pipelined: true,
    input: s.completeParams,
    run({ sql, codec }, [id, attempt, result, now]): Awaitable<void> {
      return after(sql.complete.run(result === null ? null : codec.packText(result), now, id, attempt), (r) => {
        if (Number(r.changes) === 0) throw leaseLost(id, attempt);
      });
    },
  }),

  /** A worker's completions of one turn, `[now, then id, attempt, result or null per job]`: which were refused (1), in order. */
  completeMany: op({
    kind: 'write',
    pipelined: true,
    input: s.completeManyParams,
    run({ sql, codec }, params): Awaitable<number[]> {
      const now = params[0] as number;
      const refused = new Array<number>((params.length - 1) / 3).fill(0);
      // Results stored as they are go together; a compressed one alone.
      const together: CompletedRow[] = [];
      const places: number[] = [];
      const alone: Awaitable<unknown>[] = [];
      for (let at = 1, i = 0; at < params.length; at += 3, i++) {
        const [id, attempt, result] = [params[at] as number, params[at + 1] as number, params[at + 2] as string | null];
        const stored = result === null ? null : codec.packText(result);
        if (stored === result) {
          together.push([id, attempt, result]);
          places.push(i);
        } else {
          const index = i;
          alone.push(after(sql.complete.run(stored, now, id, attempt), (r) => { if (Number(r.changes) === 0) refused[index] = 1; }));
        }
      }
      const done = after(sql.completeMany(together, now), (missed) => missed.forEach((lost, k) => { if (lost) refused[places[k]!] = 1; }));
      if (done instanceof Promise || alone.some((a) => a instanceof Promise)) return Promise.all([done, ...alone]).then(() => refused);
      return refused;
    },
  }),

  /** Jobs a worker claimed but never started (it stopped), `[now, then id, attempt per job]`: back to waiting, due now, the attempt not counted. */
  releaseMany: op({
    kind: 'write',
    input: s.releaseManyParams,
    run({ sql }, params): void {
      const now = params[0]!;
      for (let at = 1; at < params.length; at += 2) void sql.release.run(now, params[at], params[at + 1]);
    },
  }),

  fail: op({
    kind: 'write',
    input: s.failInput,
    async run({ sql }, { id, attempt, error, retry, delayMs, now }): Promise<{ queue: string; state: JobState; dueAt: number | null }> {
      const lease = (await sql.lease.get(id, attempt, now)) as LeaseRow | undefined;
      if (!lease) throw leaseLost(id, attempt);
      const errorJson = JSON.stringify(error);
      const entry = JSON.stringify({ attempt, workerId: lease.worker, startedAt: lease.started_at, endedAt: now, error });
      if (retry && attempt < lease.attempt_limit) {
        const dueAt = now + (delayMs ?? retryDelayMs(attempt, lease.backoff_base_ms, lease.backoff_max_ms));
        await sql.failRetry.run(dueAt, errorJson, entry, id, attempt);
        await sql.notify(lease.queue);
        return { queue: lease.queue, state: 'waiting', dueAt };
      }
      await sql.failFinal.run(now, errorJson, entry, id, attempt);
      return { queue: lease.queue, state: 'failed', dueAt: null };
    },
  }),

  cancel: op({
    kind: 'write',
    input: s.jobIdInput,
    async run({ sql }, { id, now }): Promise<boolean> {
      return Number((await sql.cancel.run(now, id, CANCELLED_JSON)).changes) > 0;
    },
  }),

  retry: op({
    kind: 'write',
    input: s.jobIdInput,
    async run({ sql }, { id, now }): Promise<string | null> {
      if (Number((await sql.retry.run(now, id)).changes) === 0) return null;
      const { queue: queueName } = (await sql.get.get(id)) as JobRow;
      await sql.notify(queueName);
      return queueName;
    },
  }),

  get: op({
    kind: 'read',
    input: s.getInput,
    async run({ sql, codec }, { id }): Promise<Job | null> {
      const row = (await sql.get.get(id)) as JobRow | undefined;
      return row ? decodeJob(row, codec) : null;
    },
  }),

  list: op({
    kind: 'read',
    input: s.listInput,
    async run({ sql, codec }, { queue: queueName, state, limit, before }): Promise<Job[]> {
      const older = before ?? Number.MAX_SAFE_INTEGER;
      let rows: unknown[];
      if (queueName !== undefined && state !== undefined) rows = await sql.list.byBoth.all(queueName, state, older, limit);
      else if (queueName !== undefined) rows = await sql.list.byQueue.all(queueName, older, limit);
      else if (state !== undefined) rows = await sql.list.byState.all(state, older, limit);
      else rows = await sql.list.all.all(older, limit);
      return (rows as JobRow[]).map((row) => decodeJob(row, codec));
    },
  }),

  stats: op({
    kind: 'read',
    input: s.statsInput,
    async run({ sql }, { now }): Promise<QueueStats[]> {
      const byQueue = new Map<string, QueueStats>();
      const entry = (name: string) => {
        let stats = byQueue.get(name);
        if (!stats) {
          stats = { queue: name, waiting: 0, delayed: 0, running: 0, completed: 0, failed: 0, cancelled: 0, oldestWaitingMs: 0, concurrency: null };
          byQueue.set(name, stats);
        }
        return stats;
      };
      for (const row of (await sql.counts.all(now)) as { queue: string; state: JobState; n: number; delayed: number; oldest: number | null }[]) {
        const stats = entry(row.queue);
        if (row.state === 'waiting') {
          stats.delayed = row.delayed;
          stats.waiting = row.n - row.delayed;
          if (row.oldest !== null) stats.oldestWaitingMs = Math.max(0, now - row.oldest);
        } else if ((JOB_STATES as readonly string[]).includes(row.state)) {
          stats[row.state] = row.n;
        }
      }
      for (const row of (await sql.settings.all()) as { queue: string; concurrency: number | null }[]) entry(row.queue).concurrency = row.concurrency;
      return [...byQueue.values()].sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0));
    },
  }),

  setConcurrency: op({
    kind: 'write',
    input: s.setConcurrencyInput,
    run({ sql }, { queue: queueName, concurrency, now }): void {
      void sql.setConcurrency.run(queueName, concurrency, now);
      // A higher limit may let waiting jobs run now.
      void sql.notify(queueName);
    },
  }),

  schedule: op({
    kind: 'write',
    input: s.scheduleParams,
    run({ sql, codec }, [name, cron, timeZone, payload, options, now]): void {
      void sql.upsertSchedule.run(name, cron, timeZone, codec.packText(payload), options, now);
    },
  }),

  unschedule: op({
    kind: 'write',
    input: s.nameInput,
    async run({ sql }, { name }): Promise<boolean> {
      return Number((await sql.deleteSchedule.run(name)).changes) > 0;
    },
  }),

  schedules: op({
    kind: 'read',
    input: s.statsInput,
    async run({ sql, codec }, { now }): Promise<Schedule[]> {
      return ((await sql.schedules.all()) as ScheduleRow[]).map((row) => decodeSchedule(row, codec, now));
    },
  }),

  /** Enqueues the schedule's job for `tick` unless another process already did (or a newer tick was): true when this call did. */
  fireTick: op({
    kind: 'write',
    input: s.fireTickInput,
    async run({ sql, codec }, { name, tick, now }): Promise<boolean> {
      const schedule = (await sql.schedule.get(name)) as ScheduleRow | undefined;
      return schedule ? fire(sql, codec, schedule, tick, now) : false;
    },
  }),

  /** store.cleanup's share: finished jobs of `states` that finished before `before`. */
  cleanupRetention: op({
    kind: 'write',
    input: s.retentionInput,
    async run({ sql }, { before, states }): Promise<number> {
      return Number((await sql.deleteFinished.run(before.getTime(), JSON.stringify(states))).changes);
    },
  }),
});
