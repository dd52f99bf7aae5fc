/**
 * A reader thread's task: run every read of one batch on this thread's read-only
 * connection, each retried on its own when another connection holds a lock.
 */
import { toErrorData } from '../errors.ts';
import type { WorkerConfig } from './config.ts';
import { OutcomeBuilder, type ReadTask, type ReadTaskResult } from './protocol.ts';
import { retryBusy } from './retry.ts';
import { Runtime } from './runtime.ts';

function openRuntime(config: WorkerConfig): Runtime {
  const runtime = new Runtime(config, false);
  try {
    runtime.prepare();
    return runtime;
  } catch (error) {
    runtime.close();
    throw error;
  }
}

/**
 * Opens the thread's connection, waiting while the database is locked: an in-memory
 * (memdb) store has no WAL, so a reader that starts during a long write finds it busy.
 */
export async function createReader(config: WorkerConfig): Promise<(task: ReadTask) => Promise<ReadTaskResult>> {
  const stats = { busyRetries: 0 };
  const runtime = await retryBusy(() => openRuntime(config), config.busyTimeoutMs, stats);
  return async function runReadTask(task: ReadTask): Promise<ReadTaskResult> {
    const before = runtime.stats.busyRetries;
    const outcome = new OutcomeBuilder(task.ops.length);
    for (let i = 0; i < task.ops.length; i++) {
      const { name, input } = task.ops[i]!;
      try {
        const { op, ctx } = runtime.handlers.lookup(name);
        outcome.add(i, { ok: true, value: await retryBusy(() => op.run(ctx, input), config.busyTimeoutMs, runtime.stats) });
      } catch (error) {
        outcome.add(i, { ok: false, error: toErrorData(error) });
      }
    }
    return { outcome: outcome.build(), busyRetries: runtime.stats.busyRetries - before };
  };
}
