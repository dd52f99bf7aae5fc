/** Inputs and records of store.runs (seed 001), camelCase of the document's fields. */
import { z } from 'zod';
import { toSqlTime } from '../../codec.ts';
import { id, instant, jsonText, limit, offset, positiveAmount, text, value } from '../common.ts';
import { RUN_STATUSES, type RunStatus } from './statuses.ts';

export { RUN_STATUSES, type RunStatus };

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const workflowStateInput = z.object({
  runId: id.optional(),
  pipelineId: id,
  pipelineName: text,
  pipelineVersion: text,
  currentStepIndex: count.default(0),
  pipelineContext: value,
  lastStepOutput: value,
  status: z.enum(RUN_STATUSES),
  createdAt: instant.optional(),
  updatedAt: instant.optional(),
  totalSteps: count.default(0),
  errorMessage: text.nullish(),
  executionTimeMs: count.nullish(),
  memoryUsageMb: z.number().min(0).max(1e12).nullish(),
}).strict();

export type WorkflowStateInput = z.input<typeof workflowStateInput>;

/** What listWorkflows and getFailedWorkflows return: the queryable columns, without the values. */
export interface WorkflowSummary {
  runId: string;
  pipelineId: string;
  pipelineName: string;
  pipelineVersion: string;
  currentStepIndex: number;
  status: RunStatus;
  createdAt: Date;
  updatedAt: Date;
  totalSteps: number;
  errorMessage: string | null;
  executionTimeMs: number | null;
  memoryUsageMb: number | null;
}

/** A whole run's state, as loadState returns it. */
export interface WorkflowState extends WorkflowSummary {
  pipelineContext: unknown;
  lastStepOutput: unknown;
}

export interface WorkflowStats {
  totalWorkflows: number;
  statusCounts: Record<string, number>;
  recentWorkflows24h: number;
  averageExecutionTimeMs: number;
}

export const saveStateInput = z.object({ runId: id, state: workflowStateInput }).strict()
  .refine((input) => input.state.runId === undefined || input.state.runId === input.runId, {
    message: 'state.runId differs from runId', path: ['state', 'runId'],
  });

/**
 * saveState's input as it travels to the writer: the values `saveRun` binds, in its
 * order, but for the time of the save (taken on the writer) and the compression of the
 * two values (done there). Every save crosses the thread boundary; an array of strings
 * and numbers clones several times faster than the object graph it comes from, and
 * travels packed (see `PackedOps`).
 */
export const saveStateParams = saveStateInput.transform(({ runId, state: s }, ctx) => [
  runId, s.pipelineId, s.pipelineName, s.pipelineVersion, s.currentStepIndex,
  jsonText(s.pipelineContext, ['state', 'pipelineContext'], ctx), jsonText(s.lastStepOutput, ['state', 'lastStepOutput'], ctx),
  s.status, s.createdAt ? toSqlTime(s.createdAt) : null, s.updatedAt ? toSqlTime(s.updatedAt) : null,
  s.totalSteps, s.errorMessage ?? null, s.executionTimeMs ?? null, s.memoryUsageMb ?? null,
] as const);
export const runIdInput = z.object({ runId: id }).strict();
export const listInput = z.object({
  status: z.enum(RUN_STATUSES).optional(),
  pipelineId: id.optional(),
  limit: limit.optional(),
  offset: offset.default(0),
}).strict();
export const failedInput = z.object({ hoursBack: positiveAmount.default(24) }).strict();
export const cleanupInput = z.object({ daysOld: positiveAmount.default(30) }).strict();
/** Statuses store.cleanup may delete: everything but running work. */
export const RETAINABLE_RUN_STATUSES = ['paused', 'completed', 'failed', 'cancelled'] as const;
export const retentionInput = z.object({ before: instant, statuses: z.array(z.enum(RETAINABLE_RUN_STATUSES)).min(1) }).strict();
export const statsInput = z.object({}).strict();
