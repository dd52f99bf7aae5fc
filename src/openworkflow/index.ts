/**
 * `flowstore/openworkflow`: an OpenWorkflow backend on flowstore, on a file, `:memory:` or
 * PostgreSQL. Needs `openworkflow` (≥ 0.10), an optional peer dependency that `flowstore`
 * itself never loads.
 *
 * @example
 * ```ts
 * import { OpenWorkflow } from 'openworkflow';
 * import { FlowstoreBackend } from 'flowstore/openworkflow';
 * const backend = await FlowstoreBackend.open({ path: './flowstore.db' });
 * const ow = new OpenWorkflow({ backend });
 * ```
 */
export { FlowstoreBackend } from './backend.ts';
export { DEFAULT_NAMESPACE_ID, DEFAULT_PAGE_SIZE, DEFAULT_RUN_IDEMPOTENCY_PERIOD_MS, type FlowstoreBackendOptions } from './options.ts';
export { FlowstoreError, isFlowstoreError, type ErrorCode } from '../errors.ts';
