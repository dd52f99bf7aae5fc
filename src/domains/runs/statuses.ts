/** A run's statuses (seed 001), apart from the domain's schemas so that the `flowstore` command loads no schema library to check one. */
export const RUN_STATUSES = ['running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
