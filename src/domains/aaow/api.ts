/**
 * `store.aaow`: the operations behind `SQLiteStorageAdapter` (seed 003), on a store
 * or on a transaction's `tx`. Most code uses the adapter from `flowstore/aaow`.
 *
 * @example
 * ```ts
 * await store.transaction(async (tx) => {
 *   await tx.aaow.createSession(session);
 *   await tx.aaow.saveExecutionState({ sessionId: session.id, status: 'running', nodeStates: {} });
 * });
 * ```
 */
import type { Invoker } from '../../engine/op.ts';
import { aaow } from './ops.ts';
import type {
  ApprovalRequest, BudgetPool, LLMExecutionRecord, NodeExecutionState, QueryFilter, Session, StoredWorkflow, StreamEvent,
  ToolCallLog, WorkflowExecutionState,
} from './types.ts';

type Filter = { where?: Record<string, unknown>; orderBy?: { field: string; direction: 'asc' | 'desc' }; limit?: number; offset?: number };

/** zod checks the filter's fields on this thread; the public type is aaow's. */
function checked(filter: QueryFilter<any> | undefined): Filter | undefined {
  return filter as Filter | undefined;
}

export class AaowApi {
  readonly #invoker: Invoker;

  constructor(invoker: Invoker) {
    this.#invoker = invoker;
  }

  saveWorkflow(workflow: StoredWorkflow): Promise<void> {
    return this.#invoker.invoke(aaow.ops.saveWorkflow, { workflow });
  }

  getWorkflow(id: string): Promise<StoredWorkflow | null> {
    return this.#invoker.invoke(aaow.ops.getWorkflow, { id });
  }

  listWorkflows(filter?: QueryFilter<StoredWorkflow>): Promise<StoredWorkflow[]> {
    return this.#invoker.invoke(aaow.ops.listWorkflows, { filter: checked(filter) });
  }

  updateWorkflow(id: string, update: Partial<StoredWorkflow>): Promise<void> {
    return this.#invoker.invoke(aaow.ops.updateWorkflow, { id, update });
  }

  deleteWorkflow(id: string): Promise<void> {
    return this.#invoker.invoke(aaow.ops.deleteWorkflow, { id });
  }

  createSession(session: Session): Promise<void> {
    return this.#invoker.invoke(aaow.ops.createSession, { session });
  }

  getSession(id: string): Promise<Session | null> {
    return this.#invoker.invoke(aaow.ops.getSession, { id });
  }

  listSessions(filter?: QueryFilter<Session>): Promise<Session[]> {
    return this.#invoker.invoke(aaow.ops.listSessions, { filter: checked(filter) });
  }

  updateSession(id: string, update: Partial<Session>): Promise<void> {
    return this.#invoker.invoke(aaow.ops.updateSession, { id, update });
  }

  deleteSession(id: string): Promise<void> {
    return this.#invoker.invoke(aaow.ops.deleteSession, { id });
  }

  saveExecutionState(state: WorkflowExecutionState): Promise<void> {
    return this.#invoker.invoke(aaow.ops.saveExecutionState, { state });
  }

  getExecutionState(sessionId: string): Promise<WorkflowExecutionState | null> {
    return this.#invoker.invoke(aaow.ops.getExecutionState, { sessionId });
  }

  updateNodeState(sessionId: string, nodeId: string, state: NodeExecutionState): Promise<void> {
    return this.#invoker.invoke(aaow.ops.updateNodeState, { sessionId, nodeId, state });
  }

  saveLLMExecution(sessionId: string, nodeId: string, result: LLMExecutionRecord): Promise<void> {
    return this.#invoker.invoke(aaow.ops.saveLLMExecution, { sessionId, nodeId, result });
  }

  getLLMExecutions(sessionId: string, filter?: QueryFilter<LLMExecutionRecord>): Promise<LLMExecutionRecord[]> {
    return this.#invoker.invoke(aaow.ops.getLLMExecutions, { sessionId, filter: checked(filter) });
  }

  getNodeLLMExecutions(sessionId: string, nodeId: string): Promise<LLMExecutionRecord[]> {
    return this.#invoker.invoke(aaow.ops.getNodeLLMExecutions, { sessionId, nodeId });
  }

  createBudgetPool(pool: BudgetPool): Promise<void> {
    return this.#invoker.invoke(aaow.ops.createBudgetPool, { pool });
  }

  getBudgetPool(id: string): Promise<BudgetPool | null> {
    return this.#invoker.invoke(aaow.ops.getBudgetPool, { id });
  }

  updateBudgetPool(id: string, update: Partial<BudgetPool>): Promise<void> {
    return this.#invoker.invoke(aaow.ops.updateBudgetPool, { id, update });
  }

  getChildBudgetPools(parentId: string): Promise<BudgetPool[]> {
    return this.#invoker.invoke(aaow.ops.getChildBudgetPools, { parentId });
  }

  logToolCall(log: ToolCallLog): Promise<void> {
    return this.#invoker.invoke(aaow.ops.logToolCall, { log });
  }

  getToolCalls(executionId: string): Promise<ToolCallLog[]> {
    return this.#invoker.invoke(aaow.ops.getToolCalls, { executionId });
  }

  getSessionToolCalls(sessionId: string, filter?: QueryFilter<ToolCallLog>): Promise<ToolCallLog[]> {
    return this.#invoker.invoke(aaow.ops.getSessionToolCalls, { sessionId, filter: checked(filter) });
  }

  createApprovalRequest(request: ApprovalRequest): Promise<void> {
    return this.#invoker.invoke(aaow.ops.createApprovalRequest, { request });
  }

  getApprovalRequest(id: string): Promise<ApprovalRequest | null> {
    return this.#invoker.invoke(aaow.ops.getApprovalRequest, { id });
  }

  listApprovalRequests(sessionId: string, filter?: QueryFilter<ApprovalRequest>): Promise<ApprovalRequest[]> {
    return this.#invoker.invoke(aaow.ops.listApprovalRequests, { sessionId, filter: checked(filter) });
  }

  /** Pending requests of every session, oldest first; reads the (status, createdAt) index. */
  listPendingApprovals(filter?: QueryFilter<ApprovalRequest>): Promise<ApprovalRequest[]> {
    return this.#invoker.invoke(aaow.ops.listPendingApprovals, { filter: checked(filter) });
  }

  updateApprovalRequest(id: string, update: Partial<ApprovalRequest>): Promise<void> {
    return this.#invoker.invoke(aaow.ops.updateApprovalRequest, { id, update });
  }

  /** Records who approved, when and the note; FLOWSTORE_CONFLICT unless the request is pending. */
  approveRequest(id: string, approvedBy: string, notes?: string): Promise<void> {
    return this.#invoker.invoke(aaow.ops.approveRequest, { id, by: approvedBy, notes });
  }

  /** Records who rejected, when and the reason; FLOWSTORE_CONFLICT unless the request is pending. */
  rejectRequest(id: string, rejectedBy: string, reason?: string): Promise<void> {
    return this.#invoker.invoke(aaow.ops.rejectRequest, { id, by: rejectedBy, notes: reason });
  }

  saveStreamEvent(event: StreamEvent): Promise<void> {
    return this.#invoker.invoke(aaow.ops.saveStreamEvent, { event });
  }

  getStreamEvents(streamId: string, filter?: QueryFilter<StreamEvent>): Promise<StreamEvent[]> {
    return this.#invoker.invoke(aaow.ops.getStreamEvents, { streamId, filter: checked(filter) });
  }
}
