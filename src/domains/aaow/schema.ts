/** zod inputs of the aaow adapter's operations, validated on the caller's thread. */
import { z } from 'zod';
import { id, instant, limit, offset, text, value } from '../common.ts';
import { LISTS, type ListSpec } from './statements.ts';
import {
  APPROVAL_STATUSES, APPROVAL_TYPES, BUDGET_POOL_STATUSES, NODE_STATUSES, SESSION_STATUSES,
} from './types.ts';
import type { Workflow } from './workflow.ts';

const metadata = z.record(z.string(), z.unknown());
/** A workflow definition is stored as an opaque JSON document, as aaow does. */
const definition = z.custom<Workflow>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected a workflow object');
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const amount = z.number().finite();

const storedWorkflow = z.object({
  id, name: text, version: text, definition, createdAt: instant, updatedAt: instant, metadata: metadata.optional(),
}).strict();

const session = z.object({
  id, workflowId: id, workflowSnapshot: definition, status: z.enum(SESSION_STATUSES),
  createdAt: instant, updatedAt: instant, metadata: metadata.optional(),
}).strict();

const nodeState = z.object({
  nodeId: id, status: z.enum(NODE_STATUSES), input: value.optional(), output: value.optional(), error: z.string().optional(),
  startedAt: instant.optional(), completedAt: instant.optional(), retryCount: count.optional(),
  pendingApprovalId: id.optional(), metadata: metadata.optional(),
}).strict();

const executionState = z.object({
  sessionId: id, budgetPoolId: id.optional(), metadata: metadata.optional(), startedAt: instant.optional(),
  currentNodeId: id.optional(), completedAt: instant.optional(), status: z.enum(SESSION_STATUSES),
  nodeStates: z.record(z.string(), nodeState),
}).strict().superRefine((state, ctx) => {
  for (const [key, node] of Object.entries(state.nodeStates)) {
    if (node.nodeId !== key) ctx.addIssue({ code: 'custom', message: 'nodeId differs from its key', path: ['nodeStates', key, 'nodeId'] });
  }
});

const toolCall = z.object({
  toolName: text, toolCallId: id, args: z.record(z.string(), z.unknown()), result: value.optional(), error: z.string().optional(),
}).strict();

const usage = z.object({ promptTokens: count, completionTokens: count, totalTokens: count }).strict();

const llmExecution = z.object({
  id, timestamp: instant, success: z.boolean(), text: z.string().optional(), toolCalls: z.array(toolCall).optional(),
  error: z.string().optional(), usage: usage.optional(), metadata: metadata.optional(),
}).strict();

const budgetPool = z.object({
  id, parentPoolId: id.optional(), totalBudget: amount, usedBudget: amount, remainingBudget: amount,
  status: z.enum(BUDGET_POOL_STATUSES), createdAt: instant, metadata: metadata.optional(),
}).strict();

const toolCallLog = toolCall.extend({ id, executionId: id, timestamp: instant, duration: count.optional() }).strict();

const approvalContext = z.object({
  description: z.string().optional(), requestedBudget: amount.optional(), currentUsage: amount.optional(),
  workflowRef: z.string().optional(), llmOutput: value.optional(), metadata: metadata.optional(),
}).strict();

const approval = z.object({
  id, sessionId: id, nodeId: id, type: z.enum(APPROVAL_TYPES), status: z.enum(APPROVAL_STATUSES), context: approvalContext,
  createdAt: instant, resolvedAt: instant.optional(), resolvedBy: text.optional(), resolutionNotes: z.string().optional(),
}).strict();

const streamEvent = z.object({ id, streamId: id, nodeId: id, data: value, timestamp: instant, sessionId: id.optional() }).strict();

const WHERE_VALUE = { text: z.string(), time: instant, number: z.number(), bool: z.boolean() } as const;

/**
 * `QueryFilter` for one list: equality on the allow-listed fields only. A JSON field is
 * named with its own message; any other field is an unknown key. Both reject.
 */
function queryFilter(spec: ListSpec, jsonFields: readonly string[]) {
  const where: Record<string, z.ZodType> = {};
  for (const [field, { kind }] of Object.entries(spec.fields)) where[field] = WHERE_VALUE[kind].nullable().optional();
  for (const field of jsonFields) where[field] = z.undefined({ error: 'a JSON field cannot be filtered or sorted on' }).optional();
  const fields = Object.keys(spec.fields) as [string, ...string[]];
  return z.object({
    where: z.object(where).strict().optional(),
    orderBy: z.object({ field: z.enum(fields), direction: z.enum(['asc', 'desc']) }).strict().optional(),
    limit: limit.optional(),
    offset: offset.optional(),
  }).strict().default({});
}

export type FilterInput = z.output<ReturnType<typeof queryFilter>>;

const filters = {
  workflows: queryFilter(LISTS.workflows, ['definition', 'metadata']),
  sessions: queryFilter(LISTS.sessions, ['workflowSnapshot', 'metadata']),
  llmExecutions: queryFilter(LISTS.llmExecutions, ['toolCalls', 'usage', 'metadata']),
  sessionToolCalls: queryFilter(LISTS.sessionToolCalls, ['args', 'result']),
  approvals: queryFilter(LISTS.approvals, ['context']),
  streamEvents: queryFilter(LISTS.streamEvents, ['data']),
};

/** An update may repeat the record's id, never change it. */
function update<S extends z.ZodObject>(record: S, key = 'id') {
  return z.object({ id, update: record.partial() }).strict().refine(
    (input) => (input.update as Record<string, unknown>)[key] === undefined || (input.update as Record<string, unknown>)[key] === input.id,
    { message: `${key} cannot be changed`, path: ['update', key] },
  );
}

export const byId = z.object({ id }).strict();
/** Session statuses store.cleanup may delete: finished ones only (paused and waiting sessions are work in progress). */
export const RETAINABLE_SESSION_STATUSES = ['completed', 'failed'] as const;
export const retentionInput = z.object({ before: instant, statuses: z.array(z.enum(RETAINABLE_SESSION_STATUSES)).min(1) }).strict();
export const bySession = z.object({ sessionId: id }).strict();

export const inputs = {
  saveWorkflow: z.object({ workflow: storedWorkflow }).strict(),
  listWorkflows: z.object({ filter: filters.workflows }).strict(),
  updateWorkflow: update(storedWorkflow),
  createSession: z.object({ session }).strict(),
  listSessions: z.object({ filter: filters.sessions }).strict(),
  updateSession: update(session),
  saveExecutionState: z.object({ state: executionState }).strict(),
  updateNodeState: z.object({ sessionId: id, nodeId: id, state: nodeState }).strict()
    .refine((input) => input.state.nodeId === input.nodeId, { message: 'state.nodeId differs from nodeId', path: ['state', 'nodeId'] }),
  saveLLMExecution: z.object({ sessionId: id, nodeId: id, result: llmExecution }).strict(),
  getLLMExecutions: z.object({ sessionId: id, filter: filters.llmExecutions }).strict(),
  getNodeLLMExecutions: z.object({ sessionId: id, nodeId: id }).strict(),
  createBudgetPool: z.object({ pool: budgetPool }).strict(),
  updateBudgetPool: update(budgetPool),
  getChildBudgetPools: z.object({ parentId: id }).strict(),
  logToolCall: z.object({ log: toolCallLog }).strict(),
  getToolCalls: z.object({ executionId: id }).strict(),
  getSessionToolCalls: z.object({ sessionId: id, filter: filters.sessionToolCalls }).strict(),
  createApprovalRequest: z.object({ request: approval }).strict(),
  listApprovalRequests: z.object({ sessionId: id, filter: filters.approvals }).strict(),
  listPendingApprovals: z.object({ filter: filters.approvals }).strict(),
  updateApprovalRequest: update(approval.omit({ sessionId: true })),
  resolveRequest: z.object({ id, by: text, notes: z.string().optional() }).strict(),
  saveStreamEvent: z.object({ event: streamEvent }).strict(),
  getStreamEvents: z.object({ streamId: id, filter: filters.streamEvents }).strict(),
};
