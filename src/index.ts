/**
 * flowstore: workflow-runner state in one SQLite file, through node:sqlite,
 * with reads in a thread pool and group-committed writes.
 */
export { openStore, Store, type Namespaces, type StoreOptions, type Transaction, type SqlValue } from './store.ts';
export { FlowstoreError, isFlowstoreError, ERROR_CODES, type ErrorCode } from './errors.ts';
export {
  DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_COMPRESSION_LEVEL, DEFAULT_COMPRESSION_THRESHOLD_BYTES, DEFAULT_DURABILITY,
  DEFAULT_PATH, DEFAULT_READERS, DEFAULT_TRANSACTION_TIMEOUT_MS, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_READ_ONLY,
  DEFAULT_READER_NICENESS, DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_WAITING, DEFAULT_WAL_SIZE_LIMIT_BYTES,
} from './defaults.ts';
export {
  DEFAULT_PG_APPLICATION_NAME, DEFAULT_PG_CONNECT_TIMEOUT_MS, DEFAULT_PG_POOL_SIZE, DEFAULT_PG_SCHEMA, DEFAULT_PG_STATEMENT_TIMEOUT_MS,
} from './backends/postgres/defaults.ts';
export type { BackendName } from './engine/op.ts';
export type { MetricsSnapshot } from './engine/metrics.ts';
export type { TransactionOptions } from './engine/engine.ts';
export type { BackupOptions, CleanupOptions, CleanupResult, ExportProgress } from './domains/admin/api.ts';
export type { ImportProgress, ImportSummary } from './domains/admin/import.ts';
export type { AppliedMigration, BackupProgress, PageProgress, RowProgress, TableStats } from './domains/admin/maintenance.ts';
export type { ExportSummary } from './domains/admin/transfer.ts';
export type { RunsApi } from './domains/runs/api.ts';
export type { RunStatus, WorkflowState, WorkflowStateInput, WorkflowStats, WorkflowSummary } from './domains/runs/schema.ts';
export type { DagApi } from './domains/dag/api.ts';
export type { CacheInput, DagCache, DagDump, DagDumpEntry, ExecutionStateType, NodeEntries, SnapshotInfo } from './domains/dag/schema.ts';
export type { DefinitionsApi } from './domains/definitions/api.ts';
export type { Dependency, Phase, RefreshReport, WorkflowFile } from './domains/definitions/schema.ts';
export { MAX_RECOMMENDED_RETRY } from './domains/definitions/limits.ts';
export type { AaowApi } from './domains/aaow/api.ts';
export type {
  ApprovalRequest as AaowApprovalRequest, BudgetPool as AaowBudgetPool, LLMExecutionRecord as AaowLLMExecutionRecord,
  QueryFilter as AaowQueryFilter, Session as AaowSession, StoredWorkflow as AaowStoredWorkflow, StreamEvent as AaowStreamEvent,
  ToolCallLog as AaowToolCallLog, WorkflowExecutionState as AaowWorkflowExecutionState,
} from './domains/aaow/types.ts';
export type { QueueApi, JobLease } from './domains/queue/api.ts';
export type { QueueWorker, JobHandler, JobContext, WorkOptions } from './domains/queue/worker.ts';
export {
  DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL_MS, DEFAULT_STOP_TIMEOUT_MS, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_LEASE_MS,
  DEFAULT_MAX_ATTEMPTS, MAX_AHEAD,
} from './domains/queue/defaults.ts';
export type {
  ClaimedJob, EnqueuedJob, EnqueueOptions, Job, JobAttempt, JobError, JobInput, JobState,
  QueueStats, Schedule, ScheduleOptions,
} from './domains/queue/schema.ts';
export type { AgentsApi, AgentsTransactionRunner, AgentsView, AgentsViewOptions } from './domains/agents/api.ts';
export type {
  AgentEvent, AgentEventInput, AgentSession, AgentSessionInput, AgentSessionStatus, AgentSnapshotInfo, AgentState,
  AgentStateInput, AgentTask, AgentTaskInput, AgentTaskStatus, MigrationRecord, StateTransition,
} from './domains/agents/schema.ts';
