/**
 * What a queue side is: one job queue (flowstore's, a peer's, or a hand-written loop)
 * behind the few calls the queue workload makes. One file per side in `sides/`; the
 * workload (`workload.ts`) drives every side the same way.
 */
import { readFileSync } from 'node:fs';

/** The system a side stands on; a side runs only when its ground answers. */
export type Ground = 'sqlite' | 'postgres' | 'redis';

/** A job's payload in the workload: small, and numbered so the probe can find its job. */
export interface JobPayload {
  readonly n: number;
}

/** The workload's no-op handler; sides pass it the decoded payload. */
export type Handler = (payload: JobPayload) => Promise<void>;

export interface QueueContext {
  /** A fresh directory for the side's files, removed afterwards. */
  readonly dir: string;
  /** FLOWSTORE_BENCH_POSTGRES_URL, present whenever a postgres side runs. */
  readonly postgresUrl?: string;
}

/** A side that cannot run here, and why (printed in the table). */
export interface Skip {
  readonly skip: string;
}

/**
 * One queue under the workload. State lives in the object, so each run makes a new one.
 *
 * @example
 * const side = createSide();
 * if (!(await side.setup({ dir }))) {
 *   await side.enqueueMany([{ n: 0 }, { n: 1 }]);
 *   const stop = await side.work(async (payload) => {}, 64);
 *   await stop();
 *   await side.teardown();
 * }
 */
export interface QueueSide {
  /** Short and stable, for BENCH_ONLY and the targets: `sqlite-loop`, `pg-boss`, `flowstore-sqlite`… */
  readonly id: string;
  /** What the table prints, with the peer's version. */
  readonly name: string;
  readonly ground: Ground;
  /** The worker settings used, in a few words. */
  readonly settings: string;
  /** Creates the queue (scratch schema, temp file, Redis prefix); a Skip when the side cannot run. */
  setup(ctx: QueueContext): Promise<Skip | undefined>;
  /** Enqueues every payload, through the side's batch API where it has one. */
  enqueueMany(payloads: readonly JobPayload[]): Promise<void>;
  /** Enqueues one job, as an application does one at a time. */
  enqueue(payload: JobPayload): Promise<void>;
  /** Starts a worker running `handler` for up to `concurrency` jobs at once; resolves to its graceful stop. */
  work(handler: Handler, concurrency: number): Promise<() => Promise<void>>;
  /** Jobs not completed (waiting, running or failed) after the worker stopped: 0 when every job was done. */
  remaining?(): Promise<number>;
  /** Drops what setup created. Called once setup succeeded, whatever happened after. */
  teardown(): Promise<void>;
}

/**
 * The installed version of a peer package, for the table.
 *
 * @example
 * peerVersion('pg-boss'); // '12.38.1'
 */
export function peerVersion(name: string): string {
  const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}
