/**
 * A reader thread's task: run every read of one batch on this thread's read-only
 * connection, each retried on its own when another connection holds a lock.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from '../../engine/backoff.ts';
import { loadDomainsOf } from '../../engine/handlers.ts';
import { OutcomeBuilder, type ReadTask, type ReadTaskResult } from '../../engine/protocol.ts';
import { isBusy, toSqliteErrorData } from './errors.ts';
import { retryBusy } from './retry.ts';
import { Runtime } from './runtime.ts';
import type { SqliteConfig } from './settings.ts';

function openRuntime(config: SqliteConfig): Runtime {
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
 * Opens the thread's connection with its first task, waiting while the database is locked: an in-memory
 * (memdb) store has no WAL, so a reader that starts during a long write finds it busy.
 *
 * Tasks run one after another: the main thread keeps more than one in flight per thread,
 * so that the next is already here when one ends, and each must still be answered as soon
 * as it is done, not when a task interleaved with it at every `await` is done too.
 */
export async function createReader(config: SqliteConfig): Promise<(task: ReadTask) => Promise<ReadTaskResult>> {
  const stats = { busyRetries: 0 };
  // Opened with the first task, not when the thread starts: the thread starts beside the
  // writer, before it has created or migrated the file; a task comes only once it has.
  let runtime: Runtime | undefined;
  const open = async () => (runtime = await retryBusy(() => openRuntime(config), config.busyTimeoutMs, stats));
  let previous: Promise<unknown> = Promise.resolve();
  const run = (task: ReadTask, ready: Runtime) => {
    const loading = loadDomainsOf(task.ops);
    return loading ? loading.then(() => runReadTask(ready, task)) : runReadTask(ready, task);
  };
  return function runInTurn(task: ReadTask): Promise<ReadTaskResult> {
    const result = previous.then(() => (runtime ? run(task, runtime) : open().then((ready) => run(task, ready))));
    previous = result.catch(() => {});
    return result;
  };
}

async function runReadTask(runtime: Runtime, task: ReadTask): Promise<ReadTaskResult> {
  const before = runtime.stats.busyRetries;
  const outcome = OutcomeBuilder.forReadTask(task.ops.length);
  for (let i = 0; i < task.ops.length; i++) {
    const { name, input } = task.ops[i]!;
    try {
      let value: unknown;
      try {
        // Called directly: the retry loop's closure and promise cost a point read a tenth of its time.
        // The lookup is inside: it prepares the domain's statements the first time, which may find the schema locked.
        const { op, ctx } = runtime.handlers.lookup(name);
        value = op.run(ctx, input);
        if (value instanceof Promise) value = await value;
      } catch (error) {
        if (!isBusy(error)) throw error;
        runtime.stats.busyRetries++;
        await sleep(backoffMs(1));
        value = await retryBusy(() => {
          const { op, ctx } = runtime.handlers.lookup(name);
          return op.run(ctx, input);
        }, runtime.config.busyTimeoutMs, runtime.stats);
      }
      outcome.value(i, value);
    } catch (error) {
      outcome.add(i, { ok: false, error: toSqliteErrorData(error) });
    }
  }
  return { outcome: outcome.build(), busyRetries: runtime.stats.busyRetries - before };
}
