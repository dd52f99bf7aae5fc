/**
 * `store.openworkflow`: the operations behind `FlowstoreBackend` from
 * `flowstore/openworkflow`, on a store or on a transaction's `tx`. Inputs are as the
 * backend fills them (ids, the caller's `now`, JSON as text); the reads here also serve
 * whoever shows the runs (the dashboard): runs by status or workflow, a run's step
 * attempts and children, the signals delivered.
 *
 * @example
 * ```ts
 * const page = await store.openworkflow.listRuns({ namespaceId: 'default', status: 'failed', limit: 21 });
 * const counts = await store.openworkflow.countRuns('default');
 * ```
 */
import type { z } from 'zod';
import type { Invoker } from '../../engine/op.ts';
import { openworkflow } from './ops.ts';
import type { ClaimedRun, Outcome, PageWire } from './ops.ts';
import type { OpenWorkflowCounts, OpenWorkflowRun, OpenWorkflowStep } from './rows.ts';
import type * as s from './schema.ts';

export class OpenWorkflowApi {
  readonly #invoker: Invoker;

  constructor(invoker: Invoker) {
    this.#invoker = invoker;
  }

  createRun(input: z.input<typeof s.createRunInput>): Promise<OpenWorkflowRun> {
    return this.#invoker.invoke(openworkflow.ops.createRun, input);
  }

  getRun(namespaceId: string, id: string): Promise<OpenWorkflowRun | null> {
    return this.#invoker.invoke(openworkflow.ops.getRun, { namespaceId, id });
  }

  /** A page of runs, newest first unless the cursor goes the other way; `limit` rows are read (ask one more than the page to learn whether another follows). */
  listRuns(input: z.input<typeof s.listRunsInput>): Promise<PageWire<OpenWorkflowRun>> {
    return this.#invoker.invoke(openworkflow.ops.listRuns, input);
  }

  countRuns(namespaceId: string): Promise<OpenWorkflowCounts> {
    return this.#invoker.invoke(openworkflow.ops.countRuns, { namespaceId });
  }

  claim(input: z.input<typeof s.claimInput>): Promise<OpenWorkflowRun | null> {
    return this.#invoker.invoke(openworkflow.ops.claim, input);
  }

  /** Many claims in one operation: each item's run (or null) with its first step attempts, or the refusal it met. */
  claimMany(items: z.input<typeof s.claimInput>[]): Promise<Outcome<ClaimedRun | null>[]> {
    return this.#invoker.invoke(openworkflow.ops.claimMany, { items });
  }

  extendLease(input: z.input<typeof s.extendInput>): Promise<OpenWorkflowRun> {
    return this.#invoker.invoke(openworkflow.ops.extendLease, input);
  }

  sleep(input: z.input<typeof s.sleepInput>): Promise<OpenWorkflowRun> {
    return this.#invoker.invoke(openworkflow.ops.sleep, input);
  }

  complete(input: z.input<typeof s.completeInput>): Promise<OpenWorkflowRun> {
    return this.#invoker.invoke(openworkflow.ops.complete, input);
  }

  completeMany(items: z.input<typeof s.completeInput>[]): Promise<Outcome<OpenWorkflowRun>[]> {
    return this.#invoker.invoke(openworkflow.ops.completeMany, { items });
  }

  fail(input: z.input<typeof s.failInput>): Promise<OpenWorkflowRun> {
    return this.#invoker.invoke(openworkflow.ops.fail, input);
  }

  reschedule(input: z.input<typeof s.rescheduleInput>): Promise<OpenWorkflowRun> {
    return this.#invoker.invoke(openworkflow.ops.reschedule, input);
  }

  cancel(input: z.input<typeof s.cancelInput>): Promise<OpenWorkflowRun> {
    return this.#invoker.invoke(openworkflow.ops.cancel, input);
  }

  createStep(input: z.input<typeof s.createStepInput>): Promise<OpenWorkflowStep> {
    return this.#invoker.invoke(openworkflow.ops.createStep, input);
  }

  createStepMany(items: z.input<typeof s.createStepInput>[]): Promise<Outcome<OpenWorkflowStep>[]> {
    return this.#invoker.invoke(openworkflow.ops.createStepMany, { items });
  }

  getStep(namespaceId: string, id: string): Promise<OpenWorkflowStep | null> {
    return this.#invoker.invoke(openworkflow.ops.getStep, { namespaceId, id });
  }

  /** A page of a run's step attempts, oldest first unless the cursor goes the other way. */
  listSteps(input: z.input<typeof s.listStepsInput>): Promise<PageWire<OpenWorkflowStep>> {
    return this.#invoker.invoke(openworkflow.ops.listSteps, input);
  }

  setChild(input: z.input<typeof s.setChildInput>): Promise<OpenWorkflowStep> {
    return this.#invoker.invoke(openworkflow.ops.setChild, input);
  }

  completeStep(input: z.input<typeof s.completeStepInput>): Promise<OpenWorkflowStep> {
    return this.#invoker.invoke(openworkflow.ops.completeStep, input);
  }

  completeStepMany(items: z.input<typeof s.completeStepInput>[]): Promise<Outcome<OpenWorkflowStep>[]> {
    return this.#invoker.invoke(openworkflow.ops.completeStepMany, { items });
  }

  failStep(input: z.input<typeof s.failStepInput>): Promise<OpenWorkflowStep> {
    return this.#invoker.invoke(openworkflow.ops.failStep, input);
  }

  /** The ids of the runs the signal reached. */
  sendSignal(input: z.input<typeof s.sendSignalInput>): Promise<string[]> {
    return this.#invoker.invoke(openworkflow.ops.sendSignal, input);
  }

  /** The data delivered to a signal-wait step (null when sent as null), undefined before any. */
  signalDelivery(namespaceId: string, stepAttemptId: string): Promise<unknown> {
    return this.#invoker.invoke(openworkflow.ops.signalDelivery, { namespaceId, id: stepAttemptId });
  }
}
