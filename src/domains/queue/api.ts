/**
 * `store.queue`: durable jobs in the same store, on both backends, with leases, retries
 * with backoff, dead letters, keys, priorities, delays, per-queue concurrency limits and
 * cron schedules. Each claim is a new attempt and its fencing token: a stale attempt's
 * `complete`, `fail` or `heartbeat` rejects with FLOWSTORE_LEASE_LOST and changes nothing,
 * so a job is delivered at least once and completed at most once.
 *
 * @example
 * ```ts
 * await store.queue.enqueue('emails', { to: 'a@example.com' }, { key: 'welcome:42', maxAttempts: 5 });
 * const worker = store.queue.work('emails', async (job) => send(job.payload), { concurrency: 32 });
 * await worker.stop();
 * ```
 */
import type { Logger } from 'pino';
import { FlowstoreError } from '../../errors.ts';
import { id as queueName } from '../common.ts';
import type { Invoker } from '../../engine/op.ts';
import { queue as ops } from './ops.ts';
import { Scheduler } from './scheduler.ts';
import type {
  ClaimedJob, EnqueuedJob, EnqueueOptions, Job, JobError, JobInput, JobState, QueueStats, Schedule, ScheduleOptions,
} from './schema.ts';
import { Wakeups } from './wakeups.ts';
import { jobErrorOf, QueueWorker, workOptionsSchema, type JobHandler, type WorkOptions } from './worker.ts';

/** A job as `complete`, `fail` and `heartbeat` take it: its id and the attempt that holds it (a claimed job is one). */
export interface JobLease {
  readonly id: number;
  readonly attempt: number;
}

/**
 * What a store's queue keeps beside its operations: the wake-ups of its workers, the
 * workers, and the scheduler that runs while any worker does. A transaction's queue has none.
 */
export class QueueRuntime {
  readonly wakeups = new Wakeups();
  readonly #invoker: Invoker;
  readonly #logger: Logger;
  readonly #listen: (onWork: (queue: string | undefined) => void) => () => void;
  readonly #workers = new Set<QueueWorker<any, any>>();
  readonly #scheduler: Scheduler;
  #unlisten: (() => void) | undefined;

  /** `listen` relays other processes' enqueues when the backend can (PostgreSQL's NOTIFY); it returns the unsubscribe. */
  constructor(invoker: Invoker, logger: Logger, listen: (onWork: (queue: string | undefined) => void) => () => void) {
    this.#invoker = invoker;
    this.#logger = logger;
    this.#listen = listen;
    this.#scheduler = new Scheduler(invoker, this.wakeups, logger);
  }

  work<P, R>(queue: string, handler: JobHandler<P, R>, options: WorkOptions): QueueWorker<P, R> {
    const parsed = workOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'options');
      throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `queue.work: options.${field}: ${issue.message}`, { details: { op: 'queue.work', field: `options.${field}` } });
    }
    if (!queueName.safeParse(queue).success) throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', 'queue.work: queue: a name of 1 to 512 characters', { details: { op: 'queue.work', field: 'queue' } });
    if (typeof handler !== 'function') throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', 'queue.work: handler: must be a function', { details: { op: 'queue.work', field: 'handler' } });
    this.#unlisten ??= this.#listen((queue) => this.wakeups.notify(queue));
    const worker: QueueWorker<P, R> = new QueueWorker(queue, handler, parsed.data, {
      invoker: this.#invoker, wakeups: this.wakeups, logger: this.#logger, onStop: () => this.#stopped(worker),
    });
    this.#workers.add(worker);
    this.#scheduler.start();
    return worker;
  }

  /** A schedule changed here: read them again now. */
  schedulesChanged(): void {
    this.#scheduler.refresh();
  }

  /** Stops every worker (letting running jobs finish, see QueueWorker.stop) and the scheduler. */
  async stop(): Promise<void> {
    await Promise.all([...this.#workers].map((worker) => worker.stop()));
    await this.#scheduler.stop();
  }

  #stopped(worker: QueueWorker<any, any>): void {
    this.#workers.delete(worker);
    if (this.#workers.size > 0) return;
    void this.#scheduler.stop();
    this.#unlisten?.();
    this.#unlisten = undefined;
  }
}

function lease(job: JobLease): { id: number; attempt: number } {
  return { id: job?.id, attempt: job?.attempt };
}

export class QueueApi {
  readonly #invoker: Invoker;
  readonly #wake: (queue: string) => void;
  readonly #runtime: QueueRuntime | undefined;

  /**
   * `wake` says a queue is getting work, once the enqueue is on its way (see
   * NamespaceSettings.wake). Only the store's queue has a runtime (workers, schedules).
   */
  constructor(invoker: Invoker, wake: (queue: string) => void, runtime?: QueueRuntime) {
    this.#invoker = invoker;
    this.#wake = wake;
    this.#runtime = runtime;
  }

  /**
   * Adds a job; due at once unless `runAt` or `delayMs` says when. With a `key`, while a job
   * with that key waits or runs in the queue, that job is returned instead (`created: false`).
   */
  async enqueue<P>(queue: string, payload: P, options: EnqueueOptions = {}): Promise<EnqueuedJob> {
    const job = this.#invoker.invoke(ops.ops.enqueue, { queue, payload, options, now: Date.now() });
    this.#wake(queue);
    return job;
  }

  /** Adds many jobs in one operation and one commit; the result is in the order given. */
  async enqueueMany<P>(queue: string, jobs: readonly JobInput<P>[]): Promise<EnqueuedJob[]> {
    const enqueued = this.#invoker.invoke(ops.ops.enqueueMany, { queue, jobs: jobs as JobInput[], now: Date.now() });
    this.#wake(queue);
    return enqueued;
  }

  /**
   * Takes up to `limit` due jobs for `workerId`, each on a lease of `leaseMs`: a new attempt
   * each, higher priority first, then in the order they came due. For runners with a loop of
   * their own; `work()` does this for you.
   */
  claim<P = unknown>(queue: string, options: { workerId: string; limit?: number; leaseMs?: number }): Promise<ClaimedJob<P>[]> {
    return this.#invoker.invoke(ops.ops.claim, { queue, ...options, now: Date.now() }) as Promise<ClaimedJob<P>[]>;
  }

  /**
   * {@link claim}, and when it took fewer than asked, when the queue's next job comes due
   * (epoch ms; null when none waits or runs): for a loop that waits for it.
   */
  async claimWithNext<P = unknown>(queue: string, options: { workerId: string; limit?: number; leaseMs?: number }): Promise<{ jobs: ClaimedJob<P>[]; nextAt: number | null }> {
    const jobs = await this.claim<P>(queue, options);
    const nextAt = jobs.length < (options.limit ?? 1) ? await this.#invoker.invoke(ops.ops.peek, { queue, now: Date.now() }) : null;
    return { jobs, nextAt };
  }

  /** Extends the job's lease to `leaseMs` from now; FLOWSTORE_LEASE_LOST when the attempt no longer holds it. */
  heartbeat(job: JobLease, options: { leaseMs?: number } = {}): Promise<Date> {
    return this.#invoker.invoke(ops.ops.heartbeat, { ...lease(job), ...options, now: Date.now() });
  }

  /** Completes the attempt with `result`; FLOWSTORE_LEASE_LOST (nothing changed) when it no longer holds the job. */
  complete(job: JobLease, result?: unknown): Promise<void> {
    return this.#invoker.invoke(ops.ops.complete, { ...lease(job), result, now: Date.now() });
  }

  /**
   * Ends the attempt with `error`. With `retry` (the default) the job waits for its next
   * attempt, after its backoff or `delayMs`, unless this was its last: then, as with
   * `retry: false`, it is failed, every attempt's error kept. FLOWSTORE_LEASE_LOST when the
   * attempt no longer holds the job.
   */
  async fail(job: JobLease, error: unknown, options: { retry?: boolean; delayMs?: number } = {}): Promise<{ state: JobState; dueAt: Date | null }> {
    const { queue, state, dueAt } = await this.#invoker.invoke(ops.ops.fail, { ...lease(job), error: jobErrorOf(error) as JobError, ...options, now: Date.now() });
    if (state === 'waiting' && dueAt !== null && dueAt <= Date.now()) this.#wake(queue);
    return { state, dueAt: dueAt === null ? null : new Date(dueAt) };
  }

  /** Cancels a waiting or running job (a running one's worker loses its lease); false when it was neither. */
  cancel(id: number): Promise<boolean> {
    return this.#invoker.invoke(ops.ops.cancel, { id, now: Date.now() });
  }

  /** Puts a failed or cancelled job back to wait, with `maxAttempts` more attempts; false when it was neither. */
  async retry(id: number): Promise<boolean> {
    const queue = await this.#invoker.invoke(ops.ops.retry, { id, now: Date.now() });
    if (queue !== null) this.#wake(queue);
    return queue !== null;
  }

  /** The job with every attempt it had, or null. */
  get<P = unknown, R = unknown>(id: number): Promise<Job<P, R> | null> {
    return this.#invoker.invoke(ops.ops.get, { id }) as Promise<Job<P, R> | null>;
  }

  /** Jobs newest first, by queue and state; page with `before` (the last id of the page before). */
  list(filter: { queue?: string; state?: JobState; limit?: number; before?: number } = {}): Promise<Job[]> {
    return this.#invoker.invoke(ops.ops.list, filter);
  }

  /** Per queue: jobs waiting, delayed, running, completed, failed and cancelled; the oldest waiting job's age; its limit. */
  stats(): Promise<QueueStats[]> {
    return this.#invoker.invoke(ops.ops.stats, { now: Date.now() });
  }

  /** At most `concurrency` jobs of the queue run at once, across every worker and host; null lifts the limit. */
  async setConcurrency(queue: string, concurrency: number | null): Promise<void> {
    await this.#invoker.invoke(ops.ops.setConcurrency, { queue, concurrency, now: Date.now() });
    this.#wake(queue);
  }

  /**
   * Enqueues `payload` into the queue `name` at each tick of `cron` (five or six fields, or
   * `@daily`-style; in `timeZone`, UTC by default), once per tick however many processes
   * run workers; a new schedule fires from its next tick. Replaces a schedule of that name.
   */
  async schedule(name: string, cron: string, payload?: unknown, options: ScheduleOptions = {}): Promise<void> {
    await this.#invoker.invoke(ops.ops.schedule, { name, cron, payload, options, now: Date.now() });
    this.#runtime?.schedulesChanged();
  }

  /** Removes a schedule; false when there was none. */
  unschedule(name: string): Promise<boolean> {
    return this.#invoker.invoke(ops.ops.unschedule, { name });
  }

  /** Every schedule, with its last and next tick. */
  schedules(): Promise<Schedule[]> {
    return this.#invoker.invoke(ops.ops.schedules, { now: Date.now() });
  }

  /**
   * Runs `handler` on the queue's jobs, `concurrency` at a time, each on a lease renewed
   * while it runs; what it returns completes the job, what it throws fails the attempt (the
   * job retries after its backoff until its last attempt). Stop it with `worker.stop()`;
   * closing the store stops every worker first.
   */
  work<P = unknown, R = unknown>(queue: string, handler: JobHandler<P, R>, options: WorkOptions = {}): QueueWorker<P, R> {
    if (!this.#runtime) throw new FlowstoreError('FLOWSTORE_CONFLICT', 'queue.work runs on the store, not inside a transaction', { details: { op: 'queue.work' } });
    return this.#runtime.work(queue, handler, options);
  }
}
