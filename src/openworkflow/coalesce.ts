/**
 * Calls of one kind made close together, sent as one operation: a worker's claims for all
 * its slots in one tick, the step results of the workflows it runs at once. While the
 * operations already sent are on their way (two at most), new calls wait and go together
 * in the next. Each call still settles alone: with its row, or with its own refusal.
 *
 * @example
 * ```ts
 * const claims = new Coalescer((items) => store.openworkflow.claimMany(items));
 * const run = await claims.call({ namespaceId, workerId, leaseMs, now: Date.now() });
 * ```
 */
import { FlowstoreError } from '../errors.ts';
import type { Outcome } from '../domains/openworkflow/ops.ts';

/** Operations of one kind on their way at once: as many as the store keeps write batches in flight. */
export const MAX_IN_FLIGHT = 2;

interface Waiting<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

export class Coalescer<I, O> {
  readonly #send: (items: I[]) => Promise<Outcome<O>[]>;
  #waiting: Waiting<I, O>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(send: (items: I[]) => Promise<Outcome<O>[]>) {
    this.#send = send;
  }

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      // Calls made in the same turn of the loop (a worker's claims for every free slot) go together.
      if (!this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(() => {
          this.#scheduled = false;
          this.#flush();
        });
      }
    });
  }

  #flush(): void {
    if (this.#inFlight >= MAX_IN_FLIGHT || this.#waiting.length === 0) return;
    const batch = this.#waiting;
    this.#waiting = [];
    this.#inFlight++;
    this.#send(batch.map((w) => w.item)).then((outcomes) => {
      outcomes.forEach((outcome, i) => {
        if ('row' in outcome) batch[i]!.resolve(outcome.row);
        else batch[i]!.reject(new FlowstoreError(outcome.code, outcome.message));
      });
    }, (error: unknown) => {
      for (const w of batch) w.reject(error);
    }).finally(() => {
      this.#inFlight--;
      this.#flush();
    });
  }
}
