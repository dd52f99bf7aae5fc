/**
 * What `FlowstoreBackend` adds to a store's options: one strict schema like openStore's,
 * each default named.
 *
 * @example
 * ```ts
 * const backend = await FlowstoreBackend.open({ path: './flowstore.db', namespaceId: 'billing' });
 * ```
 */
import { z } from 'zod';
import { MAX_ID_LENGTH } from '../domains/common.ts';

/** OpenWorkflow's own backends' namespace when none is given (its `DEFAULT_NAMESPACE_ID`): a worker and a client opened apart meet there. */
export const DEFAULT_NAMESPACE_ID = 'default';
/** How long a run's idempotency key names that run (OpenWorkflow's `DEFAULT_RUN_IDEMPOTENCY_PERIOD_MS`: a day). */
export const DEFAULT_RUN_IDEMPOTENCY_PERIOD_MS = 24 * 60 * 60 * 1000;
/** Rows a list returns when the call gives no `limit` (OpenWorkflow's page size). */
export const DEFAULT_PAGE_SIZE = 100;

export const backendOptionsSchema = z.object({
  /** The namespace this backend's runs live in; backends on one store with different namespaces never see each other's runs. */
  namespaceId: z.string().min(1).max(MAX_ID_LENGTH).default(DEFAULT_NAMESPACE_ID),
}).strict();

export type FlowstoreBackendOptions = z.input<typeof backendOptionsSchema>;
