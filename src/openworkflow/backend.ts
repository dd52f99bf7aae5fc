/**
 * `FlowstoreBackend`: OpenWorkflow's `Backend` on a flowstore store. Its SQL runs in the
 * store's threads, never on the caller's loop: reads in the reader pool, writes (claims,
 * step results) group-committed by the one writer, so the claims a worker makes for all
 * its slots at once share one commit. Ids are UUIDs and every "now" is `Date.now()`, both
 * taken here on the caller's thread and passed down.
 *
 * @example
 * ```ts
 * import { OpenWorkflow } from 'openworkflow';
 * import { FlowstoreBackend } from 'flowstore/openworkflow';
 * const backend = await FlowstoreBackend.open({ path: './flowstore.db' });
 * const ow = new OpenWorkflow({ backend });
 * ```
 */
import { randomUUID } from 'node:crypto';
import type {
  Backend, CancelWorkflowRunParams, ClaimWorkflowRunParams, CompleteStepAttemptParams, CompleteWorkflowRunParams, CreateStepAttemptParams,
  CreateWorkflowRunParams, ExtendWorkflowRunLeaseParams, FailStepAttemptParams, FailWorkflowRunParams, GetSignalDeliveryParams,
  GetStepAttemptParams, GetWorkflowRunParams, ListStepAttemptsParams, ListWorkflowRunsParams, PaginatedResponse,
  RescheduleWorkflowRunAfterFailedStepAttemptParams, SendSignalParams, SendSignalResult, SetStepAttemptChildWorkflowRunParams,
  SleepWorkflowRunParams, StepAttempt, WorkflowRun, WorkflowRunCounts,
} from 'openworkflow/internal';
import { parseOwn, splitOptions } from '../langgraph/options.ts';
import { openStore, type Store, type StoreOptions } from '../store.ts';
import type { ClaimedRun, WorkResult } from '../domains/openworkflow/ops.ts';
import type { WorkItem } from '../domains/openworkflow/schema.ts';
import { Coalescer } from './coalesce.ts';
import { pageStart, toPage } from './cursor.ts';
import { Refill } from './refill.ts';
import { durationMs } from './duration.ts';
import { backendOptionsSchema, DEFAULT_RUN_IDEMPOTENCY_PERIOD_MS, type FlowstoreBackendOptions } from './options.ts';

type JsonValue = CreateWorkflowRunParams['config'];

/** JSON text for a column, null for null (and for a missing field, as OpenWorkflow's backends store it). */
const json = (value: JsonValue | undefined): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
/** Claims whose history is kept for their worker's first read of it, at most. */
const MAX_KEPT_HISTORIES = 10_000;

/** Backends that opened their own store, and so close it. */
const owners = new WeakSet<FlowstoreBackend>();

const ms = (date: Date | null | undefined): number | null => (date === null || date === undefined ? null : date.getTime());

export class FlowstoreBackend implements Backend {
  /** The flowstore store the runs live in. */
  readonly store: Store;
  /** The namespace of this backend's runs. */
  readonly namespaceId: string;
  // The calls a worker makes many of at once, sent together (see coalesce.ts).
  readonly #work: Coalescer<WorkItem, WorkResult>;
  /**
   * The step attempts each claim read with its run, kept for the worker's next read of
   * them (it lists a run's history right after claiming it), used once; dropped as soon as
   * anything of the run changes through this backend.
   */
  readonly #history = new Map<string, StepAttempt[]>();
  // Holds a full worker's last claim until one of its runs ends (see refill.ts).
  readonly #refill = new Refill();

  /** A backend on an open store; `stop()` leaves the store open (closing it is the caller's business). */
  constructor(store: Store, options: FlowstoreBackendOptions = {}) {
    this.store = store;
    this.namespaceId = parseOwn(backendOptionsSchema, options).namespaceId;
    const api = store.openworkflow;
    this.#work = new Coalescer((items) => api.work(items));
  }

  /**
   * Opens a backend: on a store of its own (openStore's options: a file, `:memory:`, a
   * `postgres://` URL), which `stop()` closes; or, given `{ store }`, on that open store.
   */
  static async open(options: (StoreOptions & FlowstoreBackendOptions) | ({ store: Store } & FlowstoreBackendOptions) = {}): Promise<FlowstoreBackend> {
    if ('store' in options && options.store !== undefined) {
      const { store, ...own } = options;
      return new FlowstoreBackend(store, own);
    }
    const [storeOptions, own] = splitOptions(options as Record<string, unknown>, ['namespaceId']);
    parseOwn(backendOptionsSchema, own);
    const store = await openStore(storeOptions);
    const backend = new FlowstoreBackend(store, own as FlowstoreBackendOptions);
    owners.add(backend);
    return backend;
  }

  get #api() {
    return this.store.openworkflow;
  }

  /** What a claim read of the run's history no longer holds once the run changes. */
  #changed(workflowRunId: string): void {
    this.#history.delete(workflowRunId);
  }

  createWorkflowRun(params: Readonly<CreateWorkflowRunParams>): Promise<WorkflowRun> {
    const now = Date.now();
    return this.#api.createRun({
      namespaceId: this.namespaceId, id: randomUUID(), now, cutoff: now - DEFAULT_RUN_IDEMPOTENCY_PERIOD_MS,
      workflowName: params.workflowName, version: params.version ?? null, idempotencyKey: params.idempotencyKey ?? null,
      config: JSON.stringify(params.config ?? null), context: json(params.context), input: json(params.input),
      parentStepAttemptNamespaceId: params.parentStepAttemptNamespaceId ?? null, parentStepAttemptId: params.parentStepAttemptId ?? null,
      availableAt: ms(params.availableAt), deadlineAt: ms(params.deadlineAt),
    });
  }

  getWorkflowRun(params: Readonly<GetWorkflowRunParams>): Promise<WorkflowRun | null> {
    return this.#api.getRun(this.namespaceId, params.workflowRunId);
  }

  /** Newest first. */
  async listWorkflowRuns(params: Readonly<ListWorkflowRunsParams>): Promise<PaginatedResponse<WorkflowRun>> {
    const { cursor, limit } = pageStart(params, true);
    const wire = await this.#api.listRuns({
      namespaceId: this.namespaceId, cursor, limit: limit + 1,
      ...(params.status ? { status: params.status } : {}), ...(params.workflowName ? { workflowName: params.workflowName } : {}),
    });
    return toPage(wire, params, limit);
  }

  countWorkflowRuns(): Promise<WorkflowRunCounts> {
    return this.#api.countRuns(this.namespaceId);
  }

  async claimWorkflowRun(params: Readonly<ClaimWorkflowRunParams>): Promise<WorkflowRun | null> {
    const claimed = await this.#refill.claim(async () => {
      const got = (await this.#work.call({
        kind: 'claim', input: { namespaceId: this.namespaceId, workerId: params.workerId, leaseMs: params.leaseDurationMs, now: Date.now() },
      })) as ClaimedRun | null;
      if (got !== null) {
        if (this.#history.size >= MAX_KEPT_HISTORIES) this.#history.delete(this.#history.keys().next().value!);
        this.#history.set(got.run.id, got.steps as StepAttempt[]);
      }
      return got;
    }, (got) => (got === null ? null : { id: got.run.id, leaseEnd: got.run.availableAt?.getTime() ?? 0 }));
    return (claimed?.run ?? null) as WorkflowRun | null;
  }

  extendWorkflowRunLease(params: Readonly<ExtendWorkflowRunLeaseParams>): Promise<WorkflowRun> {
    return this.#api.extendLease({
      namespaceId: this.namespaceId, id: params.workflowRunId, workerId: params.workerId, leaseMs: params.leaseDurationMs, now: Date.now(),
    }).then((run) => {
      this.#refill.extended(run.id, run.availableAt?.getTime() ?? 0);
      return run;
    });
  }

  sleepWorkflowRun(params: Readonly<SleepWorkflowRunParams>): Promise<WorkflowRun> {
    this.#changed(params.workflowRunId);
    return this.#refill.ending(params.workflowRunId, this.#api.sleep({
      namespaceId: this.namespaceId, id: params.workflowRunId, workerId: params.workerId, availableAt: params.availableAt.getTime(), now: Date.now(),
    }));
  }

  completeWorkflowRun(params: Readonly<CompleteWorkflowRunParams>): Promise<WorkflowRun> {
    this.#changed(params.workflowRunId);
    return this.#refill.ending(params.workflowRunId, this.#work.call({
      kind: 'complete', input: { namespaceId: this.namespaceId, id: params.workflowRunId, workerId: params.workerId, output: json(params.output), now: Date.now() },
    }) as Promise<WorkflowRun>);
  }

  /** Pending again after the policy's backoff, or failed: past its attempts, or when the retry would come after its deadline. */
  failWorkflowRun(params: Readonly<FailWorkflowRunParams>): Promise<WorkflowRun> {
    this.#changed(params.workflowRunId);
    const { retryPolicy: policy } = params;
    return this.#refill.ending(params.workflowRunId, this.#api.fail({
      namespaceId: this.namespaceId, id: params.workflowRunId, workerId: params.workerId, error: JSON.stringify(params.error), now: Date.now(),
      retryPolicy: {
        initialMs: durationMs(policy.initialInterval), coefficient: policy.backoffCoefficient,
        maximumMs: durationMs(policy.maximumInterval), maximumAttempts: policy.maximumAttempts,
      },
      ...(params.attempts === undefined || params.deadlineAt === undefined ? {} : { attempts: params.attempts, deadlineAt: ms(params.deadlineAt) }),
    }));
  }

  rescheduleWorkflowRunAfterFailedStepAttempt(params: Readonly<RescheduleWorkflowRunAfterFailedStepAttemptParams>): Promise<WorkflowRun> {
    this.#changed(params.workflowRunId);
    return this.#refill.ending(params.workflowRunId, this.#api.reschedule({
      namespaceId: this.namespaceId, id: params.workflowRunId, workerId: params.workerId, availableAt: params.availableAt.getTime(),
      error: JSON.stringify(params.error), now: Date.now(),
    }));
  }

  cancelWorkflowRun(params: Readonly<CancelWorkflowRunParams>): Promise<WorkflowRun> {
    this.#changed(params.workflowRunId);
    return this.#refill.ending(params.workflowRunId, this.#api.cancel({ namespaceId: this.namespaceId, id: params.workflowRunId, now: Date.now() }));
  }

  createStepAttempt(params: Readonly<CreateStepAttemptParams>): Promise<StepAttempt> {
    this.#changed(params.workflowRunId);
    const { context } = params;
    return this.#work.call({
      kind: 'createStep',
      input: {
        namespaceId: this.namespaceId, workflowRunId: params.workflowRunId, workerId: params.workerId, id: randomUUID(), now: Date.now(),
        stepName: params.stepName, kind: params.kind, config: JSON.stringify(params.config ?? null), context: json(context as JsonValue),
        signal: context !== null && typeof context === 'object' && 'signal' in context && typeof context.signal === 'string' ? context.signal : null,
      },
    }) as Promise<StepAttempt>;
  }

  getStepAttempt(params: Readonly<GetStepAttemptParams>): Promise<StepAttempt | null> {
    return this.#api.getStep(this.namespaceId, params.stepAttemptId);
  }

  /** Oldest first. */
  async listStepAttempts(params: Readonly<ListStepAttemptsParams>): Promise<PaginatedResponse<StepAttempt>> {
    const { cursor, limit } = pageStart(params, false);
    const kept = this.#history.get(params.workflowRunId);
    if (kept !== undefined) {
      this.#history.delete(params.workflowRunId);
      // The whole history, as a first page would read it now: nothing of the run changed since its claim.
      if (cursor === undefined && kept.length <= limit) return toPage({ rows: kept, newest: false }, params, limit);
    }
    const wire = await this.#api.listSteps({ namespaceId: this.namespaceId, workflowRunId: params.workflowRunId, cursor, limit: limit + 1 });
    return toPage(wire, params, limit);
  }

  completeStepAttempt(params: Readonly<CompleteStepAttemptParams>): Promise<StepAttempt> {
    this.#changed(params.workflowRunId);
    return this.#work.call({
      kind: 'completeStep',
      input: {
        namespaceId: this.namespaceId, workflowRunId: params.workflowRunId, id: params.stepAttemptId, workerId: params.workerId,
        output: json(params.output), now: Date.now(),
      },
    }) as Promise<StepAttempt>;
  }

  failStepAttempt(params: Readonly<FailStepAttemptParams>): Promise<StepAttempt> {
    this.#changed(params.workflowRunId);
    return this.#api.failStep({
      namespaceId: this.namespaceId, workflowRunId: params.workflowRunId, id: params.stepAttemptId, workerId: params.workerId,
      error: JSON.stringify(params.error), now: Date.now(),
    });
  }

  setStepAttemptChildWorkflowRun(params: Readonly<SetStepAttemptChildWorkflowRunParams>): Promise<StepAttempt> {
    this.#changed(params.workflowRunId);
    return this.#api.setChild({
      namespaceId: this.namespaceId, workflowRunId: params.workflowRunId, id: params.stepAttemptId, workerId: params.workerId,
      childNamespaceId: params.childWorkflowRunNamespaceId, childId: params.childWorkflowRunId, now: Date.now(),
    });
  }

  async sendSignal(params: Readonly<SendSignalParams>): Promise<SendSignalResult> {
    const workflowRunIds = await this.#api.sendSignal({
      namespaceId: this.namespaceId, signal: params.signal, data: json(params.data), idempotencyKey: params.idempotencyKey ?? null, now: Date.now(),
    });
    return { workflowRunIds };
  }

  getSignalDelivery(params: Readonly<GetSignalDeliveryParams>): Promise<JsonValue | undefined> {
    return this.#api.signalDelivery(this.namespaceId, params.stepAttemptId) as Promise<JsonValue | undefined>;
  }

  /** Closes the store when this backend opened it; a shared store stays open. */
  async stop(): Promise<void> {
    if (owners.has(this)) await this.store.close();
  }
}
