/**
 * `FlowstoreStorageAdapter` (exported as `SQLiteStorageAdapter` too, the same class): a
 * drop-in for aaow's Prisma-based `SQLiteStorageAdapter`, on flowstore's engine, on a
 * SQLite file or a PostgreSQL server. No generate or migrate step: `initialize()` creates
 * or upgrades the schema.
 *
 * @example
 * ```ts
 * import { FlowstoreStorageAdapter } from 'flowstore/aaow';
 * const adapter = new FlowstoreStorageAdapter('file:./my-workflow.db'); // or 'postgres://app@db:5432/aaow?schema=aaow'
 * await adapter.initialize();
 * await adapter.saveWorkflow({ id: 'workflow-1', name: 'My Workflow', version: '1.0.0', definition, createdAt: new Date(), updatedAt: new Date() });
 * await adapter.close();
 * ```
 */
import { FlowstoreError } from '../errors.ts';
import type { StoreOptions } from '../store.ts';
import { openStore, type Store } from '../store.ts';
import type { AaowApi } from '../domains/aaow/api.ts';
import type {
  ApprovalRequest, BudgetPool, LLMExecutionRecord, NodeExecutionState, QueryFilter, Session, StoredWorkflow, StreamEvent,
  ToolCallLog, Transaction, WorkflowExecutionState,
} from '../domains/aaow/types.ts';
import { adapterStoreOptions, type FlowstoreStorageAdapterOptions } from './options.ts';
import type { StorageAdapter } from './storage-adapter.ts';
import { openTransaction, type OpenTransaction } from './transaction.ts';

export class FlowstoreStorageAdapter implements StorageAdapter {
  readonly #options: StoreOptions | FlowstoreError;
  #opening: Promise<Store> | undefined;
  #store: Store | undefined;
  #closed = false;
  #tx: OpenTransaction | undefined;

  /**
   * @param database a URL (`file:./x.db`, `file::memory:?cache=shared`, `postgres://…` with an
   * optional `?schema=`), `{ url }` or `{ filename }` with any option of `openStore`, or nothing
   * for `DATABASE_URL` (then `file:./dev.db`). Every adapter on `:memory:` has its own private database.
   */
  constructor(database?: string | FlowstoreStorageAdapterOptions) {
    this.#options = adapterStoreOptions(database, process.env);
  }

  /** Opens the database, creating or upgrading its schema. Idempotent; after `close()` it opens again. */
  async initialize(): Promise<void> {
    await this.#open();
  }

  /** Rolls back an open transaction, then closes. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const tx = this.#tx;
    if (tx && !tx.finished) await tx.rollback().catch(() => {});
    const opening = this.#opening;
    this.#opening = undefined;
    this.#store = undefined;
    if (opening) await opening.then((store) => store.close(), () => {});
  }

  /**
   * Begins a transaction: every call on this adapter until `commit()` or `rollback()`
   * belongs to it (reads see its writes), commits with it or leaves nothing. One at a
   * time per adapter: a second rejects with FLOWSTORE_CONFLICT. Left open past the
   * store's `transactionTimeoutMs` it is rolled back and calls reject until it is ended.
   */
  async beginTransaction(): Promise<Transaction> {
    const store = await this.#open();
    if (this.#tx) throw new FlowstoreError('FLOWSTORE_CONFLICT', 'a transaction is already open on this adapter');
    const tx = openTransaction(store, () => {
      if (this.#tx === tx) this.#tx = undefined;
    });
    this.#tx = tx;
    try {
      await tx.api;
    } catch (error) {
      if (this.#tx === tx) this.#tx = undefined;
      throw error;
    }
    return { commit: () => tx.commit(), rollback: () => tx.rollback() };
  }

  #open(): Promise<Store> {
    this.#closed = false;
    if (this.#options instanceof FlowstoreError) return Promise.reject(this.#options);
    this.#opening ??= openStore(this.#options).then((store) => {
      this.#store = store;
      return store;
    }, (error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  /** Where calls go: the open transaction, else the store (opened on first use, as Prisma connects lazily). */
  async #api(): Promise<AaowApi> {
    if (this.#tx) return this.#tx.api;
    if (this.#store) return this.#store.aaow;
    if (this.#closed) throw new FlowstoreError('FLOWSTORE_CLOSED', 'the adapter is closed: call initialize() to open it again');
    return (await this.#open()).aaow;
  }

  async saveWorkflow(workflow: StoredWorkflow): Promise<void> {
    return (await this.#api()).saveWorkflow(workflow);
  }

  async getWorkflow(id: string): Promise<StoredWorkflow | null> {
    return (await this.#api()).getWorkflow(id);
  }

  async listWorkflows(filter?: QueryFilter<StoredWorkflow>): Promise<StoredWorkflow[]> {
    return (await this.#api()).listWorkflows(filter);
  }

  /** FLOWSTORE_NOT_FOUND for an unknown id; `updatedAt` moves to now unless given. */
  async updateWorkflow(id: string, workflow: Partial<StoredWorkflow>): Promise<void> {
    return (await this.#api()).updateWorkflow(id, workflow);
  }

  /** Its sessions stay, with their snapshot, and read back with `workflowId: null`. FLOWSTORE_NOT_FOUND for an unknown id. */
  async deleteWorkflow(id: string): Promise<void> {
    return (await this.#api()).deleteWorkflow(id);
  }

  /** FLOWSTORE_NOT_FOUND when its workflow does not exist; FLOWSTORE_CONFLICT for a taken id. */
  async createSession(session: Session): Promise<void> {
    return (await this.#api()).createSession(session);
  }

  async getSession(id: string): Promise<Session | null> {
    return (await this.#api()).getSession(id);
  }

  async listSessions(filter?: QueryFilter<Session>): Promise<Session[]> {
    return (await this.#api()).listSessions(filter);
  }

  /** FLOWSTORE_NOT_FOUND for an unknown id; `updatedAt` moves to now unless given. */
  async updateSession(id: string, session: Partial<Session>): Promise<void> {
    return (await this.#api()).updateSession(id, session);
  }

  /** Deletes the session with its execution state, node states, LLM executions, tool calls, approvals and linked stream events. */
  async deleteSession(id: string): Promise<void> {
    return (await this.#api()).deleteSession(id);
  }

  async saveExecutionState(state: WorkflowExecutionState): Promise<void> {
    return (await this.#api()).saveExecutionState(state);
  }

  async getExecutionState(sessionId: string): Promise<WorkflowExecutionState | null> {
    return (await this.#api()).getExecutionState(sessionId);
  }

  /** FLOWSTORE_NOT_FOUND when the session has no execution state. */
  async updateNodeState(sessionId: string, nodeId: string, state: NodeExecutionState): Promise<void> {
    return (await this.#api()).updateNodeState(sessionId, nodeId, state);
  }

  async saveLLMExecution(sessionId: string, nodeId: string, result: LLMExecutionRecord): Promise<void> {
    return (await this.#api()).saveLLMExecution(sessionId, nodeId, result);
  }

  async getLLMExecutions(sessionId: string, filter?: QueryFilter<LLMExecutionRecord>): Promise<LLMExecutionRecord[]> {
    return (await this.#api()).getLLMExecutions(sessionId, filter);
  }

  async getNodeLLMExecutions(sessionId: string, nodeId: string): Promise<LLMExecutionRecord[]> {
    return (await this.#api()).getNodeLLMExecutions(sessionId, nodeId);
  }

  async createBudgetPool(pool: BudgetPool): Promise<void> {
    return (await this.#api()).createBudgetPool(pool);
  }

  async getBudgetPool(id: string): Promise<BudgetPool | null> {
    return (await this.#api()).getBudgetPool(id);
  }

  async updateBudgetPool(id: string, pool: Partial<BudgetPool>): Promise<void> {
    return (await this.#api()).updateBudgetPool(id, pool);
  }

  async getChildBudgetPools(parentId: string): Promise<BudgetPool[]> {
    return (await this.#api()).getChildBudgetPools(parentId);
  }

  async logToolCall(log: ToolCallLog): Promise<void> {
    return (await this.#api()).logToolCall(log);
  }

  async getToolCalls(executionId: string): Promise<ToolCallLog[]> {
    return (await this.#api()).getToolCalls(executionId);
  }

  async getSessionToolCalls(sessionId: string, filter?: QueryFilter<ToolCallLog>): Promise<ToolCallLog[]> {
    return (await this.#api()).getSessionToolCalls(sessionId, filter);
  }

  async createApprovalRequest(request: ApprovalRequest): Promise<void> {
    return (await this.#api()).createApprovalRequest(request);
  }

  async getApprovalRequest(id: string): Promise<ApprovalRequest | null> {
    return (await this.#api()).getApprovalRequest(id);
  }

  async listApprovalRequests(sessionId: string, filter?: QueryFilter<ApprovalRequest>): Promise<ApprovalRequest[]> {
    return (await this.#api()).listApprovalRequests(sessionId, filter);
  }

  async listPendingApprovals(filter?: QueryFilter<ApprovalRequest>): Promise<ApprovalRequest[]> {
    return (await this.#api()).listPendingApprovals(filter);
  }

  async updateApprovalRequest(id: string, update: Partial<ApprovalRequest>): Promise<void> {
    return (await this.#api()).updateApprovalRequest(id, update);
  }

  /** Records who, when and the note; FLOWSTORE_CONFLICT unless pending, FLOWSTORE_NOT_FOUND for an unknown id. */
  async approveRequest(id: string, approvedBy: string, notes?: string): Promise<void> {
    return (await this.#api()).approveRequest(id, approvedBy, notes);
  }

  /** Records who, when and the reason; FLOWSTORE_CONFLICT unless pending, FLOWSTORE_NOT_FOUND for an unknown id. */
  async rejectRequest(id: string, rejectedBy: string, reason?: string): Promise<void> {
    return (await this.#api()).rejectRequest(id, rejectedBy, reason);
  }

  async saveStreamEvent(event: StreamEvent): Promise<void> {
    return (await this.#api()).saveStreamEvent(event);
  }

  async getStreamEvents(streamId: string, filter?: QueryFilter<StreamEvent>): Promise<StreamEvent[]> {
    return (await this.#api()).getStreamEvents(streamId, filter);
  }
}
