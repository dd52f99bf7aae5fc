/**
 * A reader thread on PostgreSQL: its share of the read connections, each with every
 * domain's statements prepared on it (only read operations run here; store.query runs
 * in a READ ONLY transaction). The reads of one task run side by side, one per connection at a time, so
 * that a batch costs a round trip per connection rather than per read. A read whose
 * connection broke runs once more on a fresh one: reads change nothing, so that is safe.
 */
import { Codec } from '../../codec.ts';
import { toErrorData } from '../../errors.ts';
import type { WorkerConfig } from '../../engine/config.ts';
import { Handlers } from '../../engine/handlers.ts';
import { OutcomeBuilder, type OpResult, type ReadTask, type ReadTaskResult } from '../../engine/protocol.ts';
import { connectWithRetry, PgConnection } from './connection.ts';

interface Slot {
  conn: PgConnection;
  handlers: Handlers;
}

export async function createPgReader(config: WorkerConfig): Promise<(task: ReadTask) => Promise<ReadTaskResult>> {
  const settings = config.postgres!;
  const codec = new Codec(config.compression);
  const open = async (): Promise<Slot> => {
    const client = await connectWithRetry(settings, { pipeline: false, lockTimeoutMs: config.busyTimeoutMs });
    const conn = new PgConnection(client);
    client.on('error', () => { conn.lost = true; });
    client.on('end', () => { conn.lost = true; });
    return { conn, handlers: new Handlers('postgres', conn, codec, false) };
  };
  // Opened when first needed: a reader thread starts even while the server is away, and its
  // reads then fail with FLOWSTORE_CONNECTION instead of the thread failing to start.
  const slots = new Array<Slot | undefined>(settings.readerConnections);

  async function runOn(index: number, name: string, input: unknown): Promise<OpResult> {
    for (let attempt = 1; ; attempt++) {
      let slot = slots[index];
      if (!slot || slot.conn.lost) {
        void slot?.conn.close();
        try {
          slot = slots[index] = await open();
        } catch (error) {
          slots[index] = undefined;
          return { ok: false, error: toErrorData(error) };
        }
      }
      const result = await slot.handlers.run(name, input);
      await slot.conn.settle();
      if (result.ok || result.error.code !== 'FLOWSTORE_CONNECTION') return result;
      slot.conn.lost = true;
      if (attempt > 1) return result;
    }
  }

  // One read at a time on a connection, whichever task it is of: Piscina gives a thread two
  // tasks at once, and a read's BEGIN READ ONLY … ROLLBACK must not interleave with another's.
  const free = Array.from(slots, (_, index) => index);
  const waiting: ((index: number) => void)[] = [];
  const acquire = () => (free.length > 0 ? Promise.resolve(free.pop()!) : new Promise<number>((resolve) => waiting.push(resolve)));
  const release = (index: number) => {
    const next = waiting.shift();
    if (next) next(index);
    else free.push(index);
  };

  return async function runReadTask(task: ReadTask): Promise<ReadTaskResult> {
    const outcome = new OutcomeBuilder(task.ops.length);
    let next = 0;
    await Promise.all(Array.from(slots, async () => {
      while (next < task.ops.length) {
        const i = next++;
        const { name, input } = task.ops[i]!;
        const index = await acquire();
        try {
          outcome.add(i, await runOn(index, name, input));
        } finally {
          release(index);
        }
      }
    }));
    return { outcome: outcome.build(), busyRetries: 0 };
  };
}

