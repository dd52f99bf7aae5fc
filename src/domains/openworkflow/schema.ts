/**
 * Inputs of the OpenWorkflow domain. `flowstore/openworkflow` fills them: ids are UUIDs
 * made on the caller's thread, every time is the caller's `Date.now()` (OpenWorkflow's
 * tests mock it), and JSON values arrive as text, serialized on the caller's thread.
 */
import { z } from 'zod';
import { id, limit, MAX_TEXT_LENGTH } from '../common.ts';

export const RUN_STATUSES = ['pending', 'running', 'sleeping', 'succeeded', 'completed', 'failed', 'canceled'] as const;
export const STEP_KINDS = ['function', 'sleep', 'workflow', 'signal-send', 'signal-wait'] as const;

/** The caller's `Date.now()`, or a time it was given: whole epoch milliseconds. */
const ms = z.number().int();
const now = ms.nonnegative();
const json = z.string();
const name = z.string().min(1).max(MAX_TEXT_LENGTH);
const ns = id;

/** Where a page starts: the (createdAt, id) of the row before it, and which way it goes. */
const cursor = z.object({ createdAt: ms, id: z.string().max(MAX_TEXT_LENGTH), newest: z.boolean() }).strict();

export const createRunInput = z.object({
  namespaceId: ns, id, now,
  /** Runs made under the same key since this time are the same run. */
  cutoff: ms,
  workflowName: name, version: name.nullable(), idempotencyKey: name.nullable(),
  config: json, context: json.nullable(), input: json.nullable(),
  parentStepAttemptNamespaceId: ns.nullable(), parentStepAttemptId: id.nullable(),
  availableAt: ms.nullable(), deadlineAt: ms.nullable(),
}).strict();

export const runRef = z.object({ namespaceId: ns, id }).strict();

export const listRunsInput = z.object({
  namespaceId: ns,
  status: z.enum(RUN_STATUSES).optional(),
  workflowName: name.optional(),
  cursor: cursor.optional(),
  /** Rows read: one more than the page, to say whether another follows. */
  limit,
}).strict();

export const countInput = z.object({ namespaceId: ns }).strict();

export const claimInput = z.object({ namespaceId: ns, workerId: id, leaseMs: z.number().int().nonnegative(), now }).strict();

const owned = { namespaceId: ns, id, workerId: id, now };

export const extendInput = z.object({ ...owned, leaseMs: z.number().int().nonnegative() }).strict();
export const sleepInput = z.object({ ...owned, availableAt: ms }).strict();
export const completeInput = z.object({ ...owned, output: json.nullable() }).strict();
export const rescheduleInput = z.object({ ...owned, availableAt: ms, error: json }).strict();

/** OpenWorkflow's retry policy, its intervals already in milliseconds. */
export const retryPolicy = z.object({
  initialMs: z.number().nonnegative(),
  coefficient: z.number().nonnegative(),
  maximumMs: z.number().nonnegative(),
  /** 0: no limit. */
  maximumAttempts: z.number().int().nonnegative(),
}).strict();
export type RetryPolicyMs = z.output<typeof retryPolicy>;

export const failInput = z.object({
  ...owned, error: json, retryPolicy,
  /** The run's attempts and deadline as its worker saw them; read from the run when absent. */
  attempts: z.number().int().nonnegative().optional(),
  deadlineAt: ms.nullable().optional(),
}).strict();

export const cancelInput = z.object({ namespaceId: ns, id, now }).strict();

export const createStepInput = z.object({
  namespaceId: ns, workflowRunId: id, workerId: id, id, now,
  stepName: name, kind: z.enum(STEP_KINDS), config: json, context: json.nullable(),
  /** The signal a signal-wait step waits for (its context's `signal`). */
  signal: z.string().max(MAX_TEXT_LENGTH).nullable(),
}).strict();

export const stepRef = z.object({ namespaceId: ns, id }).strict();

export const listStepsInput = z.object({ namespaceId: ns, workflowRunId: id, cursor: cursor.optional(), limit }).strict();

const ownedStep = { namespaceId: ns, workflowRunId: id, id, workerId: id, now };
export const setChildInput = z.object({ ...ownedStep, childNamespaceId: ns, childId: id }).strict();
export const completeStepInput = z.object({ ...ownedStep, output: json.nullable() }).strict();
export const failStepInput = z.object({ ...ownedStep, error: json }).strict();

export const sendSignalInput = z.object({
  namespaceId: ns, now, signal: name, data: json.nullable(), idempotencyKey: name.nullable(),
}).strict();

/** Many calls of one operation in one: what a backend's calls of one kind, made while the last such went by, become. */
export const manyOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item).min(1).max(10_000) }).strict();
