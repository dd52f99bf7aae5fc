/** Inputs and records of store.agents (seed 004), camelCase of the document's fields; times in Unix seconds. */
import { z } from 'zod';
import { id, instant, limit, offset, text, value } from '../common.ts';

/** A time as the document keeps it: whole seconds since the Unix epoch. */
export const unixSeconds = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * A view's prefix: '' for the store's own view, otherwise non-empty without ':'
 * (':' separates the prefix from the agent id in the stored key).
 */
export const prefixSchema = z.string().max(256).refine((p) => !p.includes(':'), 'must not contain ":"');
export const viewPrefix = z.string().min(1, 'must not be empty').max(256).refine((p) => !p.includes(':'), 'must not contain ":"');

export const viewOptions = z.object({ compressStateData: z.boolean().optional() }).strict();

/** Agent ids never contain ':', so no agent of one view can be mistaken for another view's key. */
export const agentId = id.refine((a) => !a.includes(':'), 'must not contain ":"');
const shortText = z.string().min(1).max(256);
const longText = z.string().max(10_000_000);
const version = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const agentStateInput = z.object({
  agentId,
  name: text,
  status: shortText,
  metadata: value.default({}),
  stateData: longText,
  version: version.default(1),
  createdAt: unixSeconds.optional(),
  updatedAt: unixSeconds.optional(),
}).strict();
export type AgentStateInput = z.input<typeof agentStateInput>;

export interface AgentState {
  agentId: string;
  name: string;
  status: string;
  metadata: unknown;
  stateData: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface StateTransition {
  id: string;
  agentId: string;
  stateBefore: string;
  stateAfter: string;
  reason: string | null;
  timestamp: number;
  metadata: unknown;
}

export interface AgentSnapshotInfo {
  id: string;
  agentId: string;
  description: string | null;
  createdAt: number;
  expiresAt: number | null;
}

export const eventInput = z.object({
  id: id.optional(),
  eventType: shortText,
  timestamp: unixSeconds.optional(),
  sessionId: id,
  actorType: shortText,
  actorId: id,
  content: longText,
  metadata: value.optional(),
  gitCommit: z.string().max(256).nullish(),
}).strict();
export type AgentEventInput = z.input<typeof eventInput>;

export interface AgentEvent {
  id: string;
  eventType: string;
  timestamp: number;
  sessionId: string;
  actorType: string;
  actorId: string;
  content: string;
  metadata: unknown;
  gitCommit: string | null;
  createdAt: number;
}

export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'blocked', 'cancelled'] as const;
export type AgentTaskStatus = (typeof TASK_STATUSES)[number];

export const taskInput = z.object({
  id: id.optional(),
  title: text,
  description: text.nullish(),
  status: z.enum(TASK_STATUSES).default('pending'),
  assignedTo: id.nullish(),
  createdAt: unixSeconds.optional(),
  updatedAt: unixSeconds.optional(),
  metadata: value.optional(),
}).strict();
export type AgentTaskInput = z.input<typeof taskInput>;

export interface AgentTask {
  id: string;
  title: string;
  description: string | null;
  status: AgentTaskStatus;
  assignedTo: string | null;
  createdAt: number;
  updatedAt: number;
  metadata: unknown;
}

export const SESSION_STATUSES = ['active', 'paused', 'completed', 'failed', 'terminated'] as const;
/** Session statuses store.cleanup may delete: ended ones only. */
export const RETAINABLE_SESSION_STATUSES = ['completed', 'failed', 'terminated'] as const;
export const retentionInput = z.object({ before: instant, statuses: z.array(z.enum(RETAINABLE_SESSION_STATUSES)).min(1) }).strict();
export type AgentSessionStatus = (typeof SESSION_STATUSES)[number];

export const sessionInput = z.object({
  id: id.optional(),
  agentId: id,
  startedAt: unixSeconds.optional(),
  endedAt: unixSeconds.nullish(),
  status: z.enum(SESSION_STATUSES).default('active'),
  metadata: value.optional(),
}).strict();
export type AgentSessionInput = z.input<typeof sessionInput>;

export interface AgentSession {
  id: string;
  agentId: string;
  startedAt: number;
  endedAt: number | null;
  status: AgentSessionStatus;
  metadata: unknown;
  createdAt: number;
}

export interface MigrationRecord {
  version: number;
  name: string;
  description: string;
  /** Unix seconds. */
  appliedAt: number;
}

// Op inputs: every agent-keyed op carries the view's prefix, so that the workers keep no state.
const scoped = { prefix: prefixSchema };
export const prefixInput = z.object(scoped).strict();
export const saveAgentInput = z.object({ ...scoped, state: agentStateInput, compress: z.boolean().default(false) }).strict();
export const agentIdInput = z.object({ ...scoped, agentId }).strict();
export const listAgentsInput = z.object({ ...scoped, status: shortText.optional(), limit: limit.optional(), offset: offset.default(0) }).strict();
export const updateStatusInput = z.object({ ...scoped, agentId, status: shortText }).strict();
export const recordTransitionInput = z.object({
  ...scoped, agentId, stateBefore: longText, stateAfter: longText, reason: text.nullish(), metadata: value.optional(),
}).strict();
export const historyInput = z.object({ ...scoped, agentId, limit: limit.default(100) }).strict();
export const createSnapshotInput = z.object({
  ...scoped, agentId, description: text.nullish(), expiresAt: unixSeconds.nullish(),
}).strict();
export const snapshotIdInput = z.object({ ...scoped, snapshotId: id, compress: z.boolean().default(false) }).strict();
export { emptyInput } from '../common.ts';
export const saveEventInput = z.object({ event: eventInput }).strict();
export const sessionIdInput = z.object({ sessionId: id }).strict();
export const eventTypeInput = z.object({ eventType: shortText, limit: limit.optional() }).strict();
export const searchInput = z.object({ text: z.string().max(10_000), limit: limit.default(100) }).strict();
export const saveTaskInput = z.object({ task: taskInput }).strict();
export const idInput = z.object({ id }).strict();
export const listTasksInput = z.object({
  status: z.enum(TASK_STATUSES).optional(), assignedTo: id.optional(), limit: limit.optional(), offset: offset.default(0),
}).strict();
export const saveSessionInput = z.object({ session: sessionInput }).strict();
export const endSessionInput = z.object({
  id, status: z.enum(SESSION_STATUSES).default('completed'), endedAt: unixSeconds.optional(),
}).strict();
export const listSessionsInput = z.object({
  status: z.enum(SESSION_STATUSES).optional(), agentId: id.optional(), limit: limit.optional(), offset: offset.default(0),
}).strict();
