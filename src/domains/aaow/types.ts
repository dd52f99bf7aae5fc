/**
 * The records of aaow's `StorageAdapter` interface, with the same shapes as
 * `@aaow/types` (declared here so flowstore does not depend on an aaow package).
 *
 * @example
 * ```ts
 * const pool: BudgetPool = { id: 'pool-1', totalBudget: 1000, usedBudget: 0, remainingBudget: 1000,
 *   status: 'active', createdAt: new Date() };
 * ```
 */
import type { Workflow } from './workflow.ts';

export const SESSION_STATUSES = ['running', 'paused', 'completed', 'failed', 'waiting_for_human_review',
  'waiting_for_budget_approval', 'waiting_for_workflow_approval'] as const;
export const NODE_STATUSES = ['pending', 'running', 'completed', 'failed', 'skipped', 'waiting_for_approval', 'waiting_for_review'] as const;
export const APPROVAL_TYPES = ['human_review', 'budget_increase', 'workflow_call'] as const;
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export const BUDGET_POOL_STATUSES = ['active', 'exhausted', 'suspended'] as const;

export type SessionStatus = (typeof SESSION_STATUSES)[number];
export type NodeExecutionStatus = (typeof NODE_STATUSES)[number];
export type ApprovalType = (typeof APPROVAL_TYPES)[number];
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export type BudgetPoolStatus = (typeof BUDGET_POOL_STATUSES)[number];

export interface StoredWorkflow {
  id: string;
  name: string;
  version: string;
  definition: Workflow;
  createdAt: Date;
  updatedAt: Date;
  metadata?: Record<string, unknown>;
}

/**
 * One workflow run. `workflowId` reads back as `null` once its workflow was deleted
 * (the aaow schema's ON DELETE SET NULL); the snapshot stays.
 */
export interface Session {
  id: string;
  workflowId: string;
  workflowSnapshot: Workflow;
  status: SessionStatus;
  createdAt: Date;
  updatedAt: Date;
  metadata?: Record<string, unknown>;
}

export interface ExecutionContext {
  sessionId: string;
  budgetPoolId?: string;
  metadata?: Record<string, unknown>;
  startedAt?: Date;
}

export interface NodeExecutionState {
  nodeId: string;
  status: NodeExecutionStatus;
  input?: unknown;
  output?: unknown;
  error?: string;
  startedAt?: Date;
  completedAt?: Date;
  retryCount?: number;
  pendingApprovalId?: string;
  metadata?: Record<string, unknown>;
}

export interface WorkflowExecutionState extends ExecutionContext {
  currentNodeId?: string;
  completedAt?: Date;
  status: SessionStatus;
  nodeStates: Record<string, NodeExecutionState>;
}

export interface ToolCall {
  toolName: string;
  toolCallId: string;
  args: Record<string, unknown>;
  result?: unknown;
  error?: string;
}

export interface LLMExecutionResult {
  success: boolean;
  text?: string;
  toolCalls?: ToolCall[];
  error?: string;
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number };
  metadata?: Record<string, unknown>;
}

/** An LLM execution as saved and listed: the result with its id and time. */
export type LLMExecutionRecord = LLMExecutionResult & { id: string; timestamp: Date };

export interface BudgetPool {
  id: string;
  parentPoolId?: string;
  totalBudget: number;
  usedBudget: number;
  remainingBudget: number;
  status: BudgetPoolStatus;
  createdAt: Date;
  metadata?: Record<string, unknown>;
}

export interface ToolCallLog extends ToolCall {
  id: string;
  executionId: string;
  timestamp: Date;
  duration?: number;
}

export interface ApprovalRequest {
  id: string;
  sessionId: string;
  nodeId: string;
  type: ApprovalType;
  status: ApprovalStatus;
  context: {
    description?: string;
    requestedBudget?: number;
    currentUsage?: number;
    workflowRef?: string;
    llmOutput?: unknown;
    metadata?: Record<string, unknown>;
  };
  createdAt: Date;
  resolvedAt?: Date;
  resolvedBy?: string;
  resolutionNotes?: string;
}

/**
 * A stream event. `sessionId` is flowstore's optional addition: an event saved with
 * one is deleted with that session.
 */
export interface StreamEvent {
  id: string;
  streamId: string;
  nodeId: string;
  data: unknown;
  timestamp: Date;
  sessionId?: string;
}

/**
 * Filters, sorting and paging of every list. `where` is equality on the record's
 * scalar fields (`null` matches a missing value); a field the record does not
 * have, or a JSON field, rejects with FLOWSTORE_INVALID_ARGUMENT.
 */
export interface QueryFilter<T> {
  /** aaow's `Partial<T>`, widened so that `null` can ask for a missing value. */
  where?: { [K in keyof T]?: T[K] | null };
  orderBy?: { field: keyof T; direction: 'asc' | 'desc' };
  limit?: number;
  offset?: number;
}

export interface Transaction {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
