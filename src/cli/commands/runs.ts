/** `flowstore runs list|failed`: workflow runs from store.runs. */
import { RUN_STATUSES, type RunStatus } from '../../domains/runs/statuses.ts';
import type { WorkflowSummary } from '../../domains/runs/schema.ts';
import { UsageError, type Command } from '../command.ts';
import { printJson, table } from '../format.ts';

const COLUMNS = ['runId', 'pipelineId', 'status', 'currentStepIndex', 'totalSteps', 'updatedAt', 'errorMessage'];

function positiveNumber(value: unknown, flag: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'}`);
  return n;
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list runs (list) or the recently failed ones (failed)',
  usage: 'flowstore runs list|failed [db] [--status s] [--pipeline id] [--limit n] [--hours h] [--json]',
  help: [
    'list    newest first; --status, --pipeline, --limit (default 20)',
    'failed  failed runs updated in the last --hours (default 24)',
  ].join('\n'),
  options: {
    status: { type: 'string' },
    pipeline: { type: 'string' },
    limit: { type: 'string' },
    hours: { type: 'string' },
  },
  async run({ positionals, values, json, io, open }) {
    const [sub, db] = positionals;
    if (sub !== 'list' && sub !== 'failed') throw new UsageError(sub === undefined ? 'runs needs a subcommand: list or failed' : `unknown runs subcommand: ${sub}`);
    const status = values.status as string | undefined;
    if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${RUN_STATUSES.join(', ')}`);
    if (sub === 'failed' && (status !== undefined || values.pipeline !== undefined || values.limit !== undefined)) throw new UsageError('runs failed takes only --hours');
    if (sub === 'list' && values.hours !== undefined) throw new UsageError('--hours is for runs failed');
    const limit = positiveNumber(values.limit, '--limit', true) ?? 20;
    const hoursBack = positiveNumber(values.hours, '--hours', false) ?? 24;
    const store = await open(db);
    try {
      let rows: WorkflowSummary[];
      if (sub === 'list') rows = await store.runs.listWorkflows({ status: status as RunStatus | undefined, pipelineId: values.pipeline as string | undefined, limit });
      else rows = await store.runs.getFailedWorkflows({ hoursBack });
      if (json) printJson(io, rows);
      else io.stdout.write(table(rows as unknown as Record<string, unknown>[], COLUMNS));
      return 0;
    } finally {
      await store.close();
    }
  },
};
