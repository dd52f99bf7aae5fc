/** A job's states, apart from the domain's schemas so that the `flowstore` command loads no schema library to check one. */
export const JOB_STATES = ['waiting', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
