/**
 * Which reader thread takes the next batch. A thread may hold up to `perThread` batches,
 * the one it runs and the ones waiting behind it, so that it never waits for the main
 * thread between two (see reader-client.ts). But a batch must not wait behind a long
 * scan while another thread would soon be free: a thread that has shown the same number
 * of batches for `SLOW_MS` is taken to be running a long one, and gets no more until it
 * is done. Nor does a thread that is still starting (`ready` says which are not), while
 * another has started: Piscina offers those too, first, once a thread frees up, and a batch
 * given one would wait the 50 to 150 ms a thread takes to start while a started one is
 * about to be free. Piscina then keeps the batch until a thread frees up or one it started
 * later says it is ready. (The pool's first threads Piscina counts as ready from the start:
 * when none has started yet, a batch goes to one of them as before, and waits there.)
 *
 * @example
 * ```ts
 * new Piscina({ filename, maxThreads: 2, concurrentTasksPerWorker: 2, loadBalancer: readerBalancer(2, (id) => ready.has(id)) });
 * ```
 */
import type { Piscina } from 'piscina';

type Balancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;

/** Far longer than a batch of point reads takes (a fraction of a millisecond), far shorter than a scan. */
export const SLOW_MS = 5;

export function readerBalancer(perThread: number, ready: (threadId: number) => boolean): Balancer {
  // Piscina reports how many tasks each thread holds, not since when: note when it changed.
  const seen = new Map<number, { usage: number; since: number }>();
  return (_task, workers) => {
    const now = performance.now();
    let best: (typeof workers)[number] | null = null;
    let bestUsage = perThread;
    const started = workers.some((worker) => ready(worker.id));
    for (const worker of workers) {
      if (started && !ready(worker.id)) continue;
      const usage = worker.currentUsage;
      let state = seen.get(worker.id);
      if (state === undefined || state.usage !== usage) seen.set(worker.id, (state = { usage, since: now }));
      if (usage === 0) {
        best = worker;
        break;
      }
      if (usage < bestUsage && now - state.since < SLOW_MS) {
        best = worker;
        bestUsage = usage;
      }
    }
    // The thread holds one more from now on, and its new batch has only just started waiting.
    if (best !== null) seen.set(best.id, { usage: best.currentUsage + 1, since: now });
    return best;
  };
}
