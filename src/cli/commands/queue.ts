/** `flowstore queue stats|list|retry|cancel`: the jobs of store.queue. */
import { JOB_STATES, type JobState } from '../../domains/queue/states.ts';
import { UsageError, type Command } from '../command.ts';
import { printJson, table } from '../format.ts';

const SUBCOMMANDS = ['stats', 'list', 'retry', 'cancel'] as const;
const STATS_COLUMNS = ['queue', 'waiting', 'delayed', 'running', 'completed', 'failed', 'cancelled', 'oldestWaitingMs', 'concurrency'];
const LIST_COLUMNS = ['id', 'queue', 'state', 'attempt', 'maxAttempts', 'priority', 'key', 'runAt', 'finishedAt', 'error'];

function jobId(value: string | undefined, sub: string): number {
  const id = Number(value);
  if (value === undefined || !Number.isSafeInteger(id) || id <= 0) throw new UsageError(`queue ${sub} needs a job id (a positive integer)`);
  return id;
}

export const queueCommand: Command = {
  name: 'queue',
  summary: 'jobs of store.queue: counts per queue (stats), jobs (list), retry or cancel one',
  usage: 'flowstore queue stats|list|retry <id>|cancel <id> [db] [--queue q] [--state s] [--limit n] [--before id] [--json]',
  help: [
    'stats         per queue: waiting, delayed, running, completed, failed, cancelled, the oldest waiting job\'s age, the limit',
    'list          jobs newest first; --queue, --state (waiting running completed failed cancelled), --limit (default 20), --before <id> for the next page',
    'retry <id>    a failed or cancelled job waits again, with its max attempts more (exit 1 when it was neither)',
    'cancel <id>   a waiting or running job is cancelled (exit 1 when it was neither)',
  ].join('\n'),
  options: {
    queue: { type: 'string' },
    state: { type: 'string' },
    limit: { type: 'string' },
    before: { type: 'string' },
  },
  async run({ positionals, values, json, io, open }) {
    const [sub, ...rest] = positionals;
    if (!(SUBCOMMANDS as readonly (string | undefined)[]).includes(sub)) {
      throw new UsageError(sub === undefined ? `queue needs a subcommand: ${SUBCOMMANDS.join(', ')}` : `unknown queue subcommand: ${sub}`);
    }
    const changes = sub === 'retry' || sub === 'cancel';
    const id = changes ? jobId(rest[0], sub!) : undefined;
    const db = changes ? rest[1] : rest[0];
    if (sub !== 'list' && (values.queue !== undefined || values.state !== undefined || values.limit !== undefined || values.before !== undefined)) {
      throw new UsageError('--queue, --state, --limit and --before are for queue list');
    }
    const state = values.state as string | undefined;
    if (state !== undefined && !(JOB_STATES as readonly string[]).includes(state)) throw new UsageError(`--state must be one of ${JOB_STATES.join(', ')}`);
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isSafeInteger(limit) || limit <= 0) throw new UsageError('--limit must be a positive integer');
    const before = values.before === undefined ? undefined : jobId(values.before as string, 'list --before');
    const store = await open(db);
    try {
      if (sub === 'stats') {
        const stats = await store.queue.stats();
        if (json) printJson(io, stats);
        else io.stdout.write(table(stats as unknown as Record<string, unknown>[], STATS_COLUMNS));
        return 0;
      }
      if (sub === 'list') {
        const jobs = await store.queue.list({ queue: values.queue as string | undefined, state: state as JobState | undefined, limit, ...(before ? { before } : {}) });
        if (json) printJson(io, jobs);
        else io.stdout.write(table(jobs.map((job) => ({ ...job, error: job.error?.message ?? null })) as unknown as Record<string, unknown>[], LIST_COLUMNS));
        return 0;
      }
      const done = sub === 'retry' ? await store.queue.retry(id!) : await store.queue.cancel(id!);
      if (json) printJson(io, { id, [sub === 'retry' ? 'retried' : 'cancelled']: done });
      else io.stdout.write(done ? `job ${id} ${sub === 'retry' ? 'waits again' : 'cancelled'}\n` : `job ${id} was not ${sub === 'retry' ? 'failed or cancelled' : 'waiting or running'}\n`);
      return done ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};
