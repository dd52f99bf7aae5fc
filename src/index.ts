/**
 * flowstore: workflow-runner state in one SQLite file, through node:sqlite,
 * with reads in a thread pool and group-committed writes.
 */
export { openStore, Store, type Namespaces, type Transaction, type SqlValue } from './store.ts';
export { FlowstoreError, isFlowstoreError, ERROR_CODES, type ErrorCode } from './errors.ts';
export {
  DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_COMPRESSION_LEVEL, DEFAULT_COMPRESSION_THRESHOLD_BYTES, DEFAULT_DURABILITY,
  DEFAULT_PATH, DEFAULT_READERS, DEFAULT_TRANSACTION_TIMEOUT_MS, DEFAULT_CLOSE_TIMEOUT_MS, type StoreOptions,
} from './options.ts';
export type { MetricsSnapshot } from './engine/metrics.ts';
export type { TransactionOptions } from './engine/engine.ts';
export type { RunsApi } from './domains/runs/api.ts';
export type { RunStatus, WorkflowState, WorkflowStateInput, WorkflowStats, WorkflowSummary } from './domains/runs/schema.ts';
