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
import { connectClient, PgConnection } from './connection.ts';

interface Slot {
  conn: PgConnection;
  handlers: Handlers;
}

export async function createPgReader(config: WorkerConfig): Promise<(task: ReadTask) => Promise<ReadTaskResult>> {
  const settings = config.postgres!;
  const codec = new Codec(config.compression);
  const open = async (): Promise<Slot> => {
    const client = await connectClient(settings, { pipeline: false, lockTimeoutMs: config.busyTimeoutMs });
    const conn = new PgConnection(client);
    client.on('error', () => { conn.lost = true; });
    client.on('end', () => { conn.lost = true; });
    return { conn, handlers: new Handlers('postgres', conn, codec, false) };
  };
  const slots = await Promise.all(Array.from({ length: settings.readerConnections }, open));

  async function runOn(index: number, name: string, input: unknown): Promise<OpResult> {
    for (let attempt = 1; ; attempt++) {
      let slot = slots[index]!;
      if (slot.conn.lost) {
        void slot.conn.close();
        try {
          slot = slots[index] = await open();
        } catch (error) {
          return { ok: false, error: toErrorData(error) };
        }
      }
      const result = await slot.handlers.run(name, input);
      await slot.conn.settle();
      if (result.ok || attempt > 1 || !slot.conn.lost) return result;
    }
  }

  return async function runReadTask(task: ReadTask): Promise<ReadTaskResult> {
    const outcome = new OutcomeBuilder(task.ops.length);
    let next = 0;
    await Promise.all(slots.map(async (_, index) => {
      while (next < task.ops.length) {
        const i = next++;
        const { name, input } = task.ops[i]!;
        outcome.add(i, await runOn(index, name, input));
      }
    }));
    return { outcome: outcome.build(), busyRetries: 0 };
  };
}

