/**
 * The options of {@link startDashboard}: one strict schema, each default named.
 *
 * @example
 * ```ts
 * const dashboard = await startDashboard({ store, port: 0 });   // 0: any free port
 * ```
 */
import { z } from 'zod';
import { FlowstoreError } from '../errors.ts';
import type { Store } from '../store.ts';

import { DEFAULT_UI_HISTORY_MS, DEFAULT_UI_HOST, DEFAULT_UI_PORT, DEFAULT_UI_SAMPLE_INTERVAL_MS } from './defaults.ts';

export { DEFAULT_UI_HISTORY_MS, DEFAULT_UI_HOST, DEFAULT_UI_PORT, DEFAULT_UI_SAMPLE_INTERVAL_MS };

const isStore = (value: unknown): value is Store =>
  typeof value === 'object' && value !== null && typeof (value as Store).query === 'function' && typeof (value as Store).metrics === 'function';

export const dashboardOptionsSchema = z.object({
  store: z.custom<Store>(isStore, 'must be a flowstore Store'),
  port: z.number().int().min(0).max(65_535).default(DEFAULT_UI_PORT),
  host: z.string().min(1).max(253).default(DEFAULT_UI_HOST),
  /** Time between two live samples, at least (see sampler.ts). */
  sampleIntervalMs: z.number().int().min(50).max(3_600_000).default(DEFAULT_UI_SAMPLE_INTERVAL_MS),
  /** How far back the overview's charts reach. */
  historyMs: z.number().int().min(1000).max(24 * 3_600_000).default(DEFAULT_UI_HISTORY_MS),
}).strict();

export type DashboardOptions = z.input<typeof dashboardOptionsSchema>;
export type ParsedDashboardOptions = Readonly<z.output<typeof dashboardOptionsSchema>>;

export function parseDashboardOptions(options: unknown): ParsedDashboardOptions {
  const result = dashboardOptionsSchema.safeParse(options ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'options');
    throw new FlowstoreError('FLOWSTORE_INVALID_OPTIONS', `${field}: ${issue.message}`, { details: { field, issues: result.error.issues } });
  }
  return Object.freeze(result.data);
}
