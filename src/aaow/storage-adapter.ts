/**
 * aaow's `StorageAdapter` contract, declared with the same shape as `@aaow/types`, so that
 * `SQLiteStorageAdapter` is accepted wherever aaow expects one.
 *
 * @example
 * ```ts
 * const storage: StorageAdapter = new SQLiteStorageAdapter('file:./workflows.db');
 * await storage.initialize();
 * ```
 */
import type {
  ApprovalRequest, BudgetPool, LLMExecutionRecord, NodeExecutionState, QueryFilter, Session, StoredWorkflow, StreamEvent,
  ToolCallLog, Transaction, WorkflowExecutionState,
} from '../domains/aaow/types.ts';

export interface StorageAdapter {
  initialize(): Promise<void>;
  close(): Promise<void>;
  beginTransaction(): Promise<Transaction>;

  saveWorkflow(workflow: StoredWorkflow): Promise<void>;
  getWorkflow(id: string): Promise<StoredWorkflow | null>;
  listWorkflows(filter?: QueryFilter<StoredWorkflow>): Promise<StoredWorkflow[]>;
  updateWorkflow(id: string, workflow: Partial<StoredWorkflow>): Promise<void>;
  deleteWorkflow(id: string): Promise<void>;

  createSession(session: Session): Promise<void>;
  getSession(id: string): Promise<Session | null>;
  listSessions(filter?: QueryFilter<Session>): Promise<Session[]>;
  updateSession(id: string, session: Partial<Session>): Promise<void>;
  deleteSession(id: string): Promise<void>;

  saveExecutionState(state: WorkflowExecutionState): Promise<void>;
  getExecutionState(sessionId: string): Promise<WorkflowExecutionState | null>;
  updateNodeState(sessionId: string, nodeId: string, state: NodeExecutionState): Promise<void>;

  saveLLMExecution(sessionId: string, nodeId: string, result: LLMExecutionRecord): Promise<void>;
  getLLMExecutions(sessionId: string, filter?: QueryFilter<LLMExecutionRecord>): Promise<LLMExecutionRecord[]>;
  getNodeLLMExecutions(sessionId: string, nodeId: string): Promise<LLMExecutionRecord[]>;

  createBudgetPool(pool: BudgetPool): Promise<void>;
  getBudgetPool(id: string): Promise<BudgetPool | null>;
  updateBudgetPool(id: string, pool: Partial<BudgetPool>): Promise<void>;
  getChildBudgetPools(parentId: string): Promise<BudgetPool[]>;

  logToolCall(log: ToolCallLog): Promise<void>;
  getToolCalls(executionId: string): Promise<ToolCallLog[]>;
  getSessionToolCalls(sessionId: string, filter?: QueryFilter<ToolCallLog>): Promise<ToolCallLog[]>;

  createApprovalRequest(request: ApprovalRequest): Promise<void>;
  getApprovalRequest(id: string): Promise<ApprovalRequest | null>;
  listApprovalRequests(sessionId: string, filter?: QueryFilter<ApprovalRequest>): Promise<ApprovalRequest[]>;
  listPendingApprovals(filter?: QueryFilter<ApprovalRequest>): Promise<ApprovalRequest[]>;
  updateApprovalRequest(id: string, update: Partial<ApprovalRequest>): Promise<void>;
  approveRequest(id: string, approvedBy: string, notes?: string): Promise<void>;
  rejectRequest(id: string, rejectedBy: string, reason?: string): Promise<void>;

  saveStreamEvent?(event: StreamEvent): Promise<void>;
  getStreamEvents?(streamId: string, filter?: QueryFilter<StreamEvent>): Promise<StreamEvent[]>;
}

/** What aaow injects an adapter with. */
export interface StorageAdapterFactory {
  createAdapter(): StorageAdapter | Promise<StorageAdapter>;
}
