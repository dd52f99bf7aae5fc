/**
 * `store.cleanup`: retention across domains, in one transaction. Loaded when it is first
 * called (see AdminApi.cleanup): it stands on every domain's operations.
 *
 * @example
 * ```ts
 * await store.cleanup({ olderThanDays: 30, failedJobsOlderThanDays: 90 });
 * ```
 */
import { z } from 'zod';
import type { Engine } from '../../engine/engine.ts';
import { FlowstoreError } from '../../errors.ts';
import { aaow } from '../aaow/ops.ts';
import { RETAINABLE_SESSION_STATUSES as AAOW_RETAINABLE } from '../aaow/schema.ts';
import { agents } from '../agents/ops.ts';
import { RETAINABLE_SESSION_STATUSES as AGENT_RETAINABLE } from '../agents/schema.ts';
import { langgraph } from '../langgraph/ops.ts';
import { queue } from '../queue/ops.ts';
import { RETAINABLE_JOB_STATES } from '../queue/schema.ts';
import { runs } from '../runs/ops.ts';
import { RETAINABLE_RUN_STATUSES } from '../runs/schema.ts';

export interface CleanupOptions {
  /** Work not updated for this many days is deleted. */
  olderThanDays: number;
  /** Which finished statuses to delete; every status but running ones by default. */
  statuses?: string[];
  /** Failed jobs (store.queue's dead letters) are kept this many days instead: longer, to look into them. */
  failedJobsOlderThanDays?: number;
}

/** How many records each domain deleted, and the sum. */
export interface CleanupResult {
  /** Runs deleted (store.runs). */
  runs: number;
  /** Finished aaow sessions deleted, with their execution state, LLM executions, tool calls, approvals and events. */
  aaow: number;
  /** Ended agent sessions deleted (store.agents), with their events. */
  agents: number;
  /** LangGraph threads whose newest checkpoint is older than the cutoff, with their blobs and writes (none when `statuses` is given: threads have no status). */
  langgraph: number;
  /** Expired LangGraph memory items (FlowstoreStore) swept. */
  langgraphItems: number;
  /** Completed, cancelled and failed jobs deleted (store.queue); never a waiting or running one. */
  queue: number;
  total: number;
}

/** Each domain's share of retention: the statuses it knows, and the op that deletes them. */
const RETENTION = [
  { domain: 'runs', statuses: RETAINABLE_RUN_STATUSES as readonly string[], op: runs.ops.cleanupRetention },
  { domain: 'aaow', statuses: AAOW_RETAINABLE as readonly string[], op: aaow.ops.cleanupRetention },
  { domain: 'agents', statuses: AGENT_RETAINABLE as readonly string[], op: agents.ops.cleanupRetention },
] as const;
const JOB_STATES = RETAINABLE_JOB_STATES as readonly string[];
const ALL_RETAINABLE = new Set([...RETENTION.flatMap((r) => r.statuses), ...JOB_STATES]);

const cleanupInput = z.object({
  olderThanDays: z.number().positive().max(1e6),
  statuses: z.array(z.string().refine((s) => ALL_RETAINABLE.has(s), { message: `must be one of ${[...ALL_RETAINABLE].join(', ')} (running work is never deleted)` })).min(1).optional(),
  failedJobsOlderThanDays: z.number().positive().max(1e6).optional(),
}).strict();

function invalidArgument(error: z.ZodError): FlowstoreError {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || 'input';
  return new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${field}: ${issue.message}`, { details: { field, issues: error.issues } });
}

/** Deletes finished work older than `olderThanDays` in every domain, in one transaction; never running work. */
export async function cleanup(engine: Engine, options: CleanupOptions): Promise<CleanupResult> {
  const parsed = cleanupInput.safeParse(options);
  if (!parsed.success) throw invalidArgument(parsed.error);
  const now = Date.now();
  const before = new Date(now - parsed.data.olderThanDays * 86_400_000);
  const failedBefore = new Date(now - (parsed.data.failedJobsOlderThanDays ?? parsed.data.olderThanDays) * 86_400_000);
  const wanted = (states: readonly string[]) => states.filter((s) => parsed.data.statuses?.includes(s) ?? true) as ('completed' | 'failed' | 'cancelled')[];
  return engine.transaction((invoker) => invoker, async (tx) => {
    const result: CleanupResult = { runs: 0, aaow: 0, agents: 0, langgraph: 0, langgraphItems: 0, queue: 0, total: 0 };
    for (const share of RETENTION) {
      const statuses = share.statuses.filter((s) => parsed.data.statuses?.includes(s) ?? true);
      if (statuses.length === 0) continue;
      const deleted = await tx.invoke(share.op, { before, statuses: statuses as never });
      result[share.domain] += deleted;
      result.total += deleted;
    }
    const finished = wanted(['completed', 'cancelled']);
    if (finished.length > 0) result.queue += await tx.invoke(queue.ops.cleanupRetention, { before, states: finished });
    if (wanted(['failed']).length > 0) result.queue += await tx.invoke(queue.ops.cleanupRetention, { before: failedBefore, states: ['failed'] });
    result.total += result.queue;
    // A LangGraph thread has no status: a statuses filter names statuses it does not have, and leaves it alone.
    if (parsed.data.statuses === undefined) {
      result.langgraph = await tx.invoke(langgraph.ops.cleanupRetention, { before });
      result.langgraphItems = await tx.invoke(langgraph.ops.sweepItems, {});
      result.total += result.langgraph + result.langgraphItems;
    }
    return result;
  });
}
