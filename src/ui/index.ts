/**
 * `flowstore/ui`: the dashboard `flowstore ui` serves, to start inside a runner's own
 * process, where the write path's charts show that process's commits.
 *
 * @example
 * ```ts
 * import { startDashboard } from 'flowstore/ui';
 * const dashboard = await startDashboard({ store, port: 4646 });
 * ```
 */
export { startDashboard, type Dashboard } from './server.ts';
export { DEFAULT_UI_HISTORY_MS, DEFAULT_UI_HOST, DEFAULT_UI_PORT, DEFAULT_UI_SAMPLE_INTERVAL_MS, type DashboardOptions } from './options.ts';
