/**
 * A reader thread on PostgreSQL: its share of the read connections, each pipelined and
 * with every domain's statements prepared on it (only read operations run here). A point
 * read is one statement in a transaction of its own, so the reads of a task go out
 * together on one connection without waiting for each other's answers: the server works
 * through them while the answers travel, and neither side wakes up once per read. Each
 * read goes to the first connection with fewer than PIPELINE_DEPTH in flight, so that a
 * long one holds up at most those behind it there. An operation declared `alone` (it
 * opens a transaction of its own: store.query's READ ONLY one, an export's snapshot)
 * waits until a connection has nothing in flight and has it to itself until it ends. A read whose
 * connection broke runs once more on a fresh one: reads change nothing, so that is safe.
 */
import { Codec } from '../../codec.ts';
import type { WorkerConfig } from '../../engine/config.ts';
import { Handlers, loadDomainsOf, opNamed } from '../../engine/handlers.ts';
import { OutcomeBuilder, type OpResult, type ReadTask, type ReadTaskResult } from '../../engine/protocol.ts';
import { connectWithRetry, PgConnection, type PgSettings } from './connection.ts';
import { PG_ERRORS, toPgErrorData } from './errors.ts';

/**
 * Reads in flight on one connection before the next one is used: the more share one, the
 * fewer wake-ups per read on both sides (measured here, 64 in flight: spread over five
 * connections a thread, 16,000-22,000 reads/s; one, 22,000-28,000), but each waits for
 * those ahead of it.
 */
const PIPELINE_DEPTH = 32;

interface Live {
  readonly conn: PgConnection;
  readonly handlers: Handlers;
}

/** One read connection: opened when first needed (a reader starts even while the server is away), replaced when lost. */
class Slot {
  readonly #settings: PgSettings;
  readonly #codec: Codec;
  readonly #lockTimeoutMs: number;
  #live: Live | undefined;
  #opening: Promise<Live> | undefined;
  /** Operations running on this connection now. */
  inFlight = 0;
  /** Held by an `alone` operation, or kept free for one waiting for it. */
  held = false;

  constructor(settings: PgSettings, codec: Codec, lockTimeoutMs: number) {
    this.#settings = settings;
    this.#codec = codec;
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  /** The connection and its handlers, a new one when there is none or it was lost (one open at a time). */
  #connection(): Promise<Live> {
    if (this.#live && !this.#live.conn.lost) return Promise.resolve(this.#live);
    this.#opening ??= this.#open().finally(() => { this.#opening = undefined; });
    return this.#opening;
  }

  async #open(): Promise<Live> {
    void this.#live?.conn.close();
    this.#live = undefined;
    const client = await connectWithRetry(this.#settings, { pipeline: true, lockTimeoutMs: this.#lockTimeoutMs });
    const conn = new PgConnection(client, { shared: true });
    client.on('error', () => { conn.lost = true; });
    client.on('end', () => { conn.lost = true; });
    this.#live = { conn, handlers: new Handlers('postgres', conn, this.#codec, false, PG_ERRORS) };
    return this.#live;
  }

  /** Runs one read here, once more on a fresh connection when this one broke under it. */
  async run(name: string, input: unknown, alone: boolean): Promise<OpResult> {
    for (let attempt = 1; ; attempt++) {
      let live: Live;
      try {
        live = await this.#connection();
      } catch (error) {
        return { ok: false, error: toPgErrorData(error) };
      }
      const { conn, handlers } = live;
      conn.alone = alone;
      let result: OpResult;
      try {
        result = await handlers.run(name, input);
      } finally {
        conn.alone = false;
      }
      if (result.ok || result.error.code !== 'FLOWSTORE_CONNECTION' || attempt > 1) return result;
      conn.lost = true;
    }
  }
}

export async function createPgReader(config: WorkerConfig<PgSettings>): Promise<(task: ReadTask) => Promise<ReadTaskResult>> {
  const codec = new Codec(config.compression);
  const slots = Array.from({ length: config.settings.readerConnections }, () => new Slot(config.settings, codec, config.busyTimeoutMs));
  /** Operations waiting for a connection: every one is held by (or kept for) an `alone` operation. */
  const waiting: (() => boolean)[] = [];

  /** For a shared read: the first connection with room in its pipeline, else the least busy one; none while every one is held. */
  const withRoom = (): Slot | undefined => {
    let best: Slot | undefined;
    for (const slot of slots) {
      if (slot.held) continue;
      if (slot.inFlight < PIPELINE_DEPTH) return slot;
      if (!best || slot.inFlight < best.inFlight) best = slot;
    }
    return best;
  };

  /** For an `alone` one: the connection with the fewest in flight (an idle one if any); none while every one is held. */
  const leastBusy = (): Slot | undefined => {
    let best: Slot | undefined;
    for (const slot of slots) if (!slot.held && (!best || slot.inFlight < best.inFlight)) best = slot;
    return best;
  };

  /** Runs what waits for which it can: called whenever a connection has one operation fewer. */
  const wake = () => {
    for (let i = 0; i < waiting.length;) {
      if (waiting[i]!()) waiting.splice(i, 1);
      else i++;
    }
  };

  async function runShared(name: string, input: unknown): Promise<OpResult> {
    let slot = withRoom();
    if (!slot) {
      slot = await new Promise<Slot>((resolve) => waiting.push(() => {
        const free = withRoom();
        if (free) resolve(free);
        return free !== undefined;
      }));
    }
    slot.inFlight++;
    try {
      return await slot.run(name, input, false);
    } finally {
      slot.inFlight--;
      wake();
    }
  }

  async function runAlone(name: string, input: unknown): Promise<OpResult> {
    // The least busy connection is kept free for it (no new read goes there) until what runs there ends.
    let slot = leastBusy();
    if (slot) slot.held = true;
    else {
      slot = await new Promise<Slot>((resolve) => waiting.push(() => {
        const free = leastBusy();
        if (free) {
          free.held = true;
          resolve(free);
        }
        return free !== undefined;
      }));
    }
    if (slot.inFlight > 0) {
      const held = slot;
      await new Promise<void>((resolve) => waiting.unshift(() => {
        if (held.inFlight > 0) return false;
        resolve();
        return true;
      }));
    }
    slot.inFlight++;
    try {
      return await slot.run(name, input, true);
    } finally {
      slot.inFlight--;
      slot.held = false;
      wake();
    }
  }

  return async function runReadTask(task: ReadTask): Promise<ReadTaskResult> {
    const loading = loadDomainsOf(task.ops);
    if (loading) await loading;
    const outcome = OutcomeBuilder.forReadTask(task.ops.length);
    await Promise.all(task.ops.map(async ({ name, input }, i) => {
      outcome.add(i, await (opNamed(name)?.alone ? runAlone(name, input) : runShared(name, input)));
    }));
    return { outcome: outcome.build(), busyRetries: 0 };
  };
}
