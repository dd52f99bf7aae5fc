/**
 * Notifications from other sessions (PostgreSQL's LISTEN/NOTIFY), for the writer thread to
 * relay to the caller's thread: a job enqueued on another host wakes this host's workers
 * at once. Not the store's own: what its writer's session notifies, the caller's thread
 * has already been told (an enqueue wakes the workers as it is sent), and relayed back it
 * woke each idle worker a second time, for a claim that found nothing. One connection of
 * its own, opened on the first topic; when it breaks it is opened again, every topic
 * listened to again, and each announced with no payload, since notifications may have been
 * missed meanwhile.
 *
 * @example
 * ```ts
 * const listener = new PgListener(settings, (topic, payload) => post({ t: 'event', topic, payload }), (pid) => pid === conn.pid);
 * await listener.listen('queue');   // LISTEN "flowstore.<schema>.queue"
 * ```
 */
import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from '../../engine/backoff.ts';
import { connectWithRetry, quoteIdentifier, sessionPid, type PgSettings } from './connection.ts';

/** The channel of a topic in a store's schema; domains NOTIFY on `'flowstore.' || current_schema() || '.<topic>'`. */
export function channelOf(schema: string, topic: string): string {
  return `flowstore.${schema}.${topic}`;
}

export class PgListener {
  readonly #settings: PgSettings;
  readonly #onEvent: (topic: string, payload: string | null) => void;
  readonly #own: (pid: number) => boolean;
  readonly #topics = new Set<string>();
  #client: Promise<pg.Client> | undefined;
  #closed = false;

  /** `own` says whether a server process is one of the store's own sessions: what those notify is not relayed. */
  constructor(settings: PgSettings, onEvent: (topic: string, payload: string | null) => void, own: (pid: number) => boolean) {
    this.#settings = settings;
    this.#onEvent = onEvent;
    this.#own = own;
  }

  async listen(topic: string): Promise<void> {
    if (this.#topics.has(topic)) return;
    this.#topics.add(topic);
    const client = await this.#connection();
    await client.query(`LISTEN ${quoteIdentifier(channelOf(this.#settings.schema, topic))}`);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = await this.#client?.catch(() => undefined);
    await client?.end().catch(() => {});
  }

  #connection(): Promise<pg.Client> {
    this.#client ??= this.#open();
    return this.#client;
  }

  async #open(): Promise<pg.Client> {
    const client = await connectWithRetry(this.#settings, { pipeline: false, lockTimeoutMs: 0 });
    const prefix = channelOf(this.#settings.schema, '');
    // A server that gives every session one process id (PGlite's socket server) tells no sender apart: all is relayed.
    const mine = (pid: number) => pid !== sessionPid(client) && this.#own(pid);
    client.on('notification', (message) => {
      if (message.channel.startsWith(prefix) && !mine(message.processId)) this.#onEvent(message.channel.slice(prefix.length), message.payload ?? null);
    });
    client.once('error', () => void this.#reopen(client));
    client.once('end', () => void this.#reopen(client));
    return client;
  }

  /** The connection broke: open another, listen to every topic again, and say that anything may have happened meanwhile. */
  async #reopen(broken: pg.Client): Promise<void> {
    if (this.#closed || (await this.#client?.catch(() => undefined)) !== broken) return;
    this.#client = undefined;
    for (let attempt = 1; !this.#closed; attempt++) {
      try {
        const client = await this.#connection();
        for (const topic of this.#topics) await client.query(`LISTEN ${quoteIdentifier(channelOf(this.#settings.schema, topic))}`);
        for (const topic of this.#topics) this.#onEvent(topic, null);
        return;
      } catch {
        this.#client = undefined;
        await sleep(backoffMs(attempt) * 50);
      }
    }
  }
}
