/**
 * `flowstore/aaow`: a drop-in storage adapter for the aaow workflow engine, on a SQLite
 * file or a PostgreSQL server. `FlowstoreStorageAdapter` and `SQLiteStorageAdapter` (aaow's
 * name) are the same class.
 *
 * @example
 * ```ts
 * import { SQLiteStorageAdapter } from 'flowstore/aaow';
 * const adapter = new SQLiteStorageAdapter('file:./my-workflow.db');
 * await adapter.initialize();
 * const tx = await adapter.beginTransaction();
 * await adapter.updateSession('session-1', { status: 'completed' });
 * await tx.commit();
 * ```
 */
export { FlowstoreStorageAdapter, FlowstoreStorageAdapter as SQLiteStorageAdapter } from './adapter.ts';
export type { FlowstoreStorageAdapterOptions, SQLiteStorageAdapterOptions } from './options.ts';
export type { StorageAdapter, StorageAdapterFactory } from './storage-adapter.ts';
export type {
  ApprovalRequest, ApprovalStatus, ApprovalType, BudgetPool, BudgetPoolStatus, ExecutionContext, LLMExecutionRecord,
  LLMExecutionResult, NodeExecutionState, NodeExecutionStatus, QueryFilter, Session, SessionStatus, StoredWorkflow, StreamEvent,
  ToolCall, ToolCallLog, Transaction, WorkflowExecutionState,
} from '../domains/aaow/types.ts';
export type * from '../domains/aaow/workflow.ts';
export { FlowstoreError, isFlowstoreError, type ErrorCode } from '../errors.ts';
