/**
 * A queue's worker on the caller's thread: claims jobs while it has free slots, runs the
 * handler on each, renews the leases of the jobs still running, and completes or fails
 * them. Claims and completions go through the store's writer like every write, so the
 * claims and completions of all of a process's workers share its group commits; the
 * completions of one turn travel as one operation.
 *
 * It claims when it has free slots and work may be there: at once when a job is enqueued
 * in this process (or, on PostgreSQL, in any process: LISTEN/NOTIFY), when the next
 * delayed job comes due, and otherwise every `pollIntervalMs` (a read first: an idle
 * worker takes no write lock).
 *
 * @example
 * ```ts
 * const worker = store.queue.work('emails', async (job, { signal }) => send(job.payload, { signal }), { concurrency: 32 });
 * await worker.stop();
 * ```
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { toJsonText } from '../../codec.ts';
import { FlowstoreError, isFlowstoreError } from '../../errors.ts';
import type { Invoker } from '../../engine/op.ts';
import { queue as ops } from './ops.ts';
import { DEFAULT_LEASE_MS, MAX_CLAIM, type ClaimedJob, type JobError } from './schema.ts';
import type { Wakeups } from './wakeups.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL_MS, DEFAULT_STOP_TIMEOUT_MS, MAX_AHEAD } from './defaults.ts';

export { DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL_MS, DEFAULT_STOP_TIMEOUT_MS, MAX_AHEAD } from './defaults.ts';

/** Claims a worker keeps out at once: the writer commits one batch while the next is on its way. */
const CLAIMS_IN_FLIGHT = 2;

export const workOptionsSchema = z.object({
  concurrency: z.number().int().min(1).max(10_000).default(DEFAULT_CONCURRENCY),
  /**
   * Jobs claimed ahead of free slots, held until a slot frees (each on its lease): a short
   * job then starts without waiting for a claim's round trip. Default: the worker sets it,
   * from `concurrency` up to MAX_AHEAD, as the jobs go (see QueueWorker#ahead); 0 for long
   * jobs that other workers should rather take.
   */
  prefetch: z.number().int().min(0).max(10_000).optional(),
  leaseMs: z.number().int().min(100).max(366 * 86_400_000).default(DEFAULT_LEASE_MS),
  pollIntervalMs: z.number().int().min(1).max(3_600_000).default(DEFAULT_POLL_INTERVAL_MS),
  /** Who holds the leases, as a job's attempts show it. */
  workerId: z.string().min(1).max(512).optional(),
  /** The most jobs one claim takes. Default: half the jobs held ahead, at least `concurrency`, at most 1,000. */
  batchSize: z.number().int().min(1).max(MAX_CLAIM).optional(),
  stopTimeoutMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_STOP_TIMEOUT_MS),
}).strict();

export type WorkOptions = z.input<typeof workOptionsSchema>;

/** What a handler is given beside its job. */
export interface JobContext {
  /** Aborts when the job's lease is lost (it ran past it, or the job was cancelled) or the worker stops past its timeout. */
  readonly signal: AbortSignal;
}

/** The id of the job whose handler this code runs in, if any: a closing store still serves its handler. */
const jobScope = new AsyncLocalStorage<number>();

/** Whether the caller runs inside a job's handler (which a closing store lets finish its work). */
export function insideJob(): boolean {
  return jobScope.getStore() !== undefined;
}

export type JobHandler<P = unknown, R = unknown> = (job: ClaimedJob<P>, context: JobContext) => R | Promise<R>;

interface Running<P> {
  readonly job: ClaimedJob<P>;
  readonly controller: AbortController;
  readonly done: Promise<void>;
  leaseUntil: number;
}

/** An error as a job keeps it: what was thrown, made plain. */
export function jobErrorOf(error: unknown): JobError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      message: error.message.slice(0, 65_536), name: error.name.slice(0, 256),
      ...(typeof code === 'string' ? { code: code.slice(0, 256) } : {}),
      ...(error.stack ? { stack: error.stack.slice(0, 65_536) } : {}),
    };
  }
  return { message: String(error).slice(0, 65_536) };
}

/**
 * Events: `completed` (job, result: once the completion has committed), `failed` (job,
 * error), `lost` (job: its lease was lost, its outcome not recorded), `error` (error: a claim
 * or a completion failed; emitted only when listened to, logged always).
 */
export class QueueWorker<P = unknown, R = unknown> extends EventEmitter implements AsyncDisposable {
  readonly queue: string;
  readonly workerId: string;
  readonly #invoker: Invoker;
  readonly #handler: JobHandler<P, R>;
  readonly #options: z.output<typeof workOptionsSchema>;
  readonly #logger: Logger;
  readonly #running = new Map<number, Running<P>>();
  readonly #unsubscribe: () => void;
  readonly #onStop: () => void;
  /** Completions of this turn, sent together: the job, what its handler returned, and that as JSON text (or null). */
  #completions: { job: ClaimedJob<P>; result: R | undefined; text: string | null }[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #turnScheduled = false;
  /** Claimed, not started yet: they start as slots free (see the prefetch option). */
  #buffered: ClaimedJob<P>[] = [];
  /** Claims on their way, and how many jobs they may bring. */
  #claims = 0;
  #requested = 0;
  #claimScheduled = false;
  /** The claims and hand-backs on their way, for stop() to wait for (what a claim brings after it goes back at once). */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Set while claims are out: a wake-up then claims again once one is back. */
  #woken = false;
  /**
   * Whether the last claim came back full, so that the queue likely holds more: then a
   * second claim follows the first a turn later (see #claim). A worker starts so; an idle
   * one woken for a job or two sends one claim, not two, the second of which found nothing.
   */
  #backlog = true;
  /**
   * Claims and polls sent so far: a poll's answer counts only when nothing was sent after
   * it. A late answer, read before the jobs of a later claim were written, set a timer for
   * what it had seen (the lease of a job since completed, say) that held back the later
   * poll's answer, and with it a job due sooner.
   */
  #sent = 0;
  /**
   * Jobs held ahead of the slots, when no `prefetch` option says: `concurrency` at first.
   * Doubled (up to MAX_AHEAD) when a full claim comes back to a worker with idle slots and
   * nothing held: the jobs ran out before the next ones came. Back to `concurrency`, the
   * held jobs past it handed back, when a claim comes back and no held job started while it
   * was out: the jobs have grown long, and other workers could be running those. So short
   * jobs are claimed in large batches, and long ones are not hoarded.
   */
  #ahead: number;
  /** Jobs started so far: whether any did while a claim was out. */
  #starts = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;

  /** Use `store.queue.work()`. */
  constructor(queue: string, handler: JobHandler<P, R>, options: z.output<typeof workOptionsSchema>, deps: { invoker: Invoker; wakeups: Wakeups; logger: Logger; onStop: () => void }) {
    super();
    this.queue = queue;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#handler = handler;
    this.#options = options;
    this.#invoker = deps.invoker;
    this.#logger = deps.logger;
    this.#onStop = deps.onStop;
    this.#ahead = options.prefetch ?? options.concurrency;
    this.#unsubscribe = deps.wakeups.subscribe(queue, () => this.#wake());
    this.#claim();
  }

  /** Jobs whose handler is running now. */
  get running(): number {
    return this.#running.size;
  }

  get stopped(): boolean {
    return this.#stopping !== undefined;
  }

  /**
   * Stops claiming, lets the running jobs finish, then resolves. Past `timeoutMs` (the
   * `stopTimeoutMs` option by default) their signals abort, and each is handed back to the
   * queue (failed with a retry due now, so another worker takes it). Safe to call twice.
   */
  stop(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.timeoutMs ?? this.#options.stopTimeoutMs);
    return this.#stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #stop(timeoutMs: number): Promise<void> {
    this.#unsubscribe();
    clearTimeout(this.#idleTimer);
    const unstarted = this.#release(this.#buffered.splice(0));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(resolve, timeoutMs, 'timeout'); });
    const finished = Promise.all([...this.#running.values()].map((r) => r.done));
    if ((await Promise.race([finished, timedOut])) === 'timeout') {
      const reason = new FlowstoreError('FLOWSTORE_CLOSED', `the worker stopped before the job ended (stop timeout ${timeoutMs} ms)`);
      const handedBack = [...this.#running.values()].map(async ({ job, controller }) => {
        controller.abort(reason);
        this.#running.delete(job.id);
        await this.#invoker.invoke(ops.ops.fail, { id: job.id, attempt: job.attempt, error: jobErrorOf(reason), retry: true, delayMs: 0, now: Date.now() })
          .catch((error: unknown) => this.#problem(error));
      });
      await Promise.all(handedBack);
    }
    clearTimeout(timer);
    clearInterval(this.#heartbeatTimer);
    this.#flush();
    await Promise.all([this.#flushing, unstarted, ...this.#inFlight]);
    this.#onStop();
  }

  /** Work may be there: claim now, or once a claim out now is back. */
  #wake(): void {
    if (this.#claims > 0) this.#woken = true;
    this.#claim();
  }

  /** Jobs this worker may hold at once: running, held ahead, and on their way. */
  get #capacity(): number {
    return this.#options.concurrency + this.#ahead;
  }

  /** The most jobs one claim asks for (a whole number: a `prefetch` may be odd). */
  get #batch(): number {
    return Math.min(MAX_CLAIM, this.#options.batchSize ?? Math.max(this.#options.concurrency, Math.ceil(this.#ahead / 2)));
  }

  /**
   * Sets how many jobs to hold ahead from how a claim fared (see {@link #ahead}), once its
   * jobs are taken in. `starved`: as it came back, slots were idle and nothing was held;
   * `stalled`: jobs were held, and none started while it was out.
   */
  #adapt(full: boolean, starved: boolean, stalled: boolean): void {
    if (this.#options.prefetch !== undefined) return;
    const least = this.#options.concurrency;
    if (full && starved) {
      this.#ahead = Math.min(Math.max(least, MAX_AHEAD), this.#ahead * 2);
    } else if (stalled && this.#ahead > least) {
      this.#ahead = least;
      if (this.#buffered.length > least) this.#track(this.#release(this.#buffered.splice(least)));
    }
  }

  /**
   * Claims when there is room for more jobs, up to CLAIMS_IN_FLIGHT at once, one per turn:
   * two claims sent in one turn would travel in one writer batch, and then always come
   * back together, leaving the writer idle while this thread runs their jobs. Sent a turn
   * apart, one commits while the other's jobs run. The second goes out at once only while
   * the last claim came back full ({@link #backlog}); otherwise once the first comes back full.
   */
  #claim(): void {
    if (this.#stopping || this.#claims >= CLAIMS_IN_FLIGHT) return;
    const batch = this.#batch;
    const room = this.#capacity - this.#running.size - this.#buffered.length - this.#requested;
    // A claim smaller than a batch waits for room, unless nothing else is out: no dribble of tiny claims.
    if (room <= 0 || (room < batch && this.#claims > 0)) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#send(Math.min(room, batch));
    if (this.#backlog && this.#claims < CLAIMS_IN_FLIGHT && room > batch && !this.#claimScheduled) {
      this.#claimScheduled = true;
      setImmediate(() => {
        this.#claimScheduled = false;
        this.#claim();
      });
    }
  }

  #send(limit: number): void {
    this.#sent++;
    this.#claims++;
    this.#requested += limit;
    // A claim sent now sees every job committed before it: it serves the wake-ups so far.
    // (Cleared only when no claim was out, a wake-up that came while two were out kept both
    // coming back and going out again, forever.)
    this.#woken = false;
    const now = Date.now();
    const startsBefore = this.#starts;
    const out = this.#invoker.invoke(ops.ops.claim, { queue: this.queue, workerId: this.workerId, limit, leaseMs: this.#options.leaseMs, now }).then(
      (jobs) => {
        this.#claims--;
        this.#requested -= limit;
        const full = jobs.length === limit;
        this.#backlog = full;
        if (this.#stopping) return this.#release(jobs as ClaimedJob<P>[]);
        const starved = this.#running.size < this.#options.concurrency && this.#buffered.length === 0;
        const stalled = this.#buffered.length > 0 && this.#starts === startsBefore;
        this.#buffered.push(...(jobs as ClaimedJob<P>[]));
        this.#startBuffered();
        this.#adapt(full, starved, stalled);
        if (full || this.#woken) this.#claim();
        else if (this.#claims === 0) void this.#poll(false);
      },
      (error: unknown) => {
        this.#claims--;
        this.#requested -= limit;
        if (isFlowstoreError(error) && error.code === 'FLOWSTORE_CLOSED') return void this.stop({ timeoutMs: 0 });
        this.#problem(error);
        if (this.#claims === 0) this.#idle(this.#options.pollIntervalMs);
      },
    );
    this.#track(out);
  }

  /** Keeps `out` among the operations stop() waits for until it settles. */
  #track(out: Promise<unknown>): void {
    this.#inFlight.add(out);
    void out.finally(() => this.#inFlight.delete(out));
  }

  /** Nothing to claim now: look again after `delayMs`, first with a read, unless woken before. */
  #idle(delayMs: number): void {
    if (this.#stopping) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => void this.#poll(), delayMs);
  }

  /**
   * Asks when the queue's next job comes due, then claims if one is due (`claimDue`; not
   * right after a claim that took fewer than asked: a due job it left is held back by the
   * queue's limit) or waits for it, at most `pollIntervalMs`.
   */
  async #poll(claimDue = true): Promise<void> {
    this.#idleTimer = undefined;
    const sent = ++this.#sent;
    const now = Date.now();
    let at: number | null;
    try {
      at = await this.#invoker.invoke(ops.ops.peek, { queue: this.queue, now });
    } catch (error) {
      if (isFlowstoreError(error) && error.code === 'FLOWSTORE_CLOSED') return void this.stop({ timeoutMs: 0 });
      this.#problem(error);
      return sent === this.#sent ? this.#idle(this.#options.pollIntervalMs) : undefined;
    }
    if (sent !== this.#sent || this.#claims > 0 || this.#idleTimer !== undefined || this.#stopping) return;
    if (at !== null && at <= now) {
      if (claimDue) this.#claim();
      else this.#idle(this.#options.pollIntervalMs);
    } else {
      this.#idle(at === null ? this.#options.pollIntervalMs : Math.min(at - now, this.#options.pollIntervalMs));
    }
  }

  #startBuffered(): void {
    while (this.#running.size < this.#options.concurrency && this.#buffered.length > 0) this.#start(this.#buffered.shift()!);
  }

  /** Jobs claimed but not started go back to the queue, due now, their attempt not counted. */
  async #release(jobs: readonly ClaimedJob<P>[]): Promise<void> {
    if (jobs.length === 0) return;
    const params = [Date.now()];
    for (const job of jobs) params.push(job.id, job.attempt);
    await this.#invoker.invoke(ops.ops.releaseMany, params).catch((error: unknown) => this.#problem(error));
  }

  #start(job: ClaimedJob<P>): void {
    this.#starts++;
    const controller = new AbortController();
    const running: Running<P> = { job, controller, leaseUntil: job.leaseUntil.getTime(), done: Promise.resolve() };
    this.#running.set(job.id, running);
    this.#heartbeatTimer ??= setInterval(() => this.#heartbeat(), Math.max(50, Math.floor(this.#options.leaseMs / 3)));
    (running as { done: Promise<void> }).done = Promise.resolve()
      .then(() => jobScope.run(job.id, () => this.#handler(job, { signal: controller.signal })))
      .then((result) => this.#settled(running, { result }), (error: unknown) => this.#settled(running, { error }));
  }

  #settled(running: Running<P>, outcome: { result?: R; error?: unknown }): void {
    const { job, controller } = running;
    // Handed back by stop(), or already known lost: its outcome is not this worker's to record.
    if (this.#running.get(job.id) !== running) return;
    this.#running.delete(job.id);
    this.#startBuffered();
    if (this.#running.size === 0 && this.#buffered.length === 0) {
      clearInterval(this.#heartbeatTimer);
      this.#heartbeatTimer = undefined;
    }
    if (controller.signal.aborted) {
      this.emit('lost', job);
    } else if ('error' in outcome) {
      void this.#invoker.invoke(ops.ops.fail, { id: job.id, attempt: job.attempt, error: jobErrorOf(outcome.error), retry: true, now: Date.now() })
        .then(() => this.emit('failed', job, outcome.error), (error: unknown) => this.#lostOrProblem(job, error));
    } else {
      let text: string | null;
      try {
        text = outcome.result === undefined ? null : toJsonText(outcome.result);
      } catch (cause) {
        const error = new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `the handler's result cannot be stored: ${(cause as Error).message}`, { cause });
        void this.#invoker.invoke(ops.ops.fail, { id: job.id, attempt: job.attempt, error: jobErrorOf(error), retry: true, now: Date.now() })
          .then(() => this.emit('failed', job, error), (failure: unknown) => this.#lostOrProblem(job, failure));
        return this.#afterTurn();
      }
      this.#completions.push({ job, result: outcome.result, text });
    }
    this.#afterTurn();
  }

  /**
   * Once this turn's handlers have settled: their completions go as one operation, then the
   * next claim, which therefore commits after them in the writer's batch.
   */
  #afterTurn(): void {
    if (this.#turnScheduled) return;
    this.#turnScheduled = true;
    setImmediate(() => {
      this.#turnScheduled = false;
      this.#flush();
      this.#claim();
    });
  }

  /** Sends this turn's completions as one operation; each is `completed` once committed, `lost` when refused (its lease had ended). */
  #flush(): void {
    if (this.#completions.length === 0) return;
    const batch = this.#completions;
    this.#completions = [];
    const params: (string | number | null)[] = [Date.now()];
    for (const { job, text } of batch) params.push(job.id, job.attempt, text);
    const sent = this.#invoker.invoke(ops.ops.completeMany, params).then((refused) => {
      refused.forEach((lost, i) => {
        const { job, result } = batch[i]!;
        if (lost) this.emit('lost', job);
        else this.emit('completed', job, result);
      });
    }, (error: unknown) => this.#problem(error));
    this.#flushing = Promise.all([this.#flushing, sent]).then(() => {});
  }

  /** Renews the leases of the jobs running or held ahead, in one operation; aborts those whose lease is lost. */
  #heartbeat(): void {
    const now = Date.now();
    this.#renewBuffered(now);
    const live = [...this.#running.values()];
    for (const running of live) {
      // No renewal came back in time (the store is stalled or unreachable): the lease may be another's by now.
      if (running.leaseUntil <= now) this.#lose(running, 'its lease ended before it could be renewed');
    }
    const renewing = live.filter((r) => !r.controller.signal.aborted);
    if (renewing.length === 0) return;
    const leaseMs = this.#options.leaseMs;
    this.#invoker.invoke(ops.ops.heartbeatMany, { leases: renewing.map((r) => [r.job.id, r.job.attempt] as [number, number]), leaseMs, now }).then(
      (lost) => lost.forEach((gone, i) => {
        const running = renewing[i]!;
        if (gone) this.#lose(running, 'the job was cancelled, or its lease taken by another claim');
        else running.leaseUntil = now + leaseMs;
      }),
      (error: unknown) => this.#problem(error),
    );
  }

  /** Jobs held ahead keep their leases too; one whose lease could not be kept is dropped (another worker may take it). */
  #renewBuffered(now: number): void {
    const held = this.#buffered;
    if (held.length === 0) return;
    const leaseMs = this.#options.leaseMs;
    this.#invoker.invoke(ops.ops.heartbeatMany, { leases: held.map((job) => [job.id, job.attempt] as [number, number]), leaseMs, now }).then(
      (lost) => {
        held.forEach((job, i) => { if (!lost[i]) job.leaseUntil = new Date(now + leaseMs); });
        const gone = new Set(held.filter((_, i) => lost[i]).map((job) => job.id));
        if (gone.size > 0) this.#buffered = this.#buffered.filter((job) => !gone.has(job.id));
      },
      (error: unknown) => this.#problem(error),
    );
  }

  #lose(running: Running<P>, why: string): void {
    if (running.controller.signal.aborted) return;
    running.controller.abort(new FlowstoreError('FLOWSTORE_LEASE_LOST', `job ${running.job.id}, attempt ${running.job.attempt}: ${why}`, {
      details: { id: running.job.id, attempt: running.job.attempt },
    }));
  }

  #lostOrProblem(job: ClaimedJob<P>, error: unknown): void {
    if (isFlowstoreError(error) && error.code === 'FLOWSTORE_LEASE_LOST') this.emit('lost', job);
    else this.#problem(error);
  }

  #problem(error: unknown): void {
    this.#logger.error({ err: error, queue: this.queue, workerId: this.workerId }, 'flowstore queue worker');
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
