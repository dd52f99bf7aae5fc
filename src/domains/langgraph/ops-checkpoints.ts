/** The saver's operations: put, putWrites, getTuple, list, deleteThread, prune, and retention. */
import { sqlNow, toSqlTime } from '../../codec.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { opsOf } from '../../engine/op.ts';
import { inSnapshot, readTuple } from './read.ts';
import type * as Schemas from './schema.ts';
import type { ListPage, PruneResult, WireTuple } from './schema.ts';
import type { CheckpointRow, LangGraphStatements } from './statements.ts';

const op = opsOf<LangGraphStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');
const utf8 = new TextDecoder();

export const checkpointOps = {
  putCheckpoint: op({
    kind: 'write',
    input: s.putCheckpointInput,
    run({ sql, codec }, input): void {
      // Nothing here is awaited: the PostgreSQL writer sends the batch's statements in one round trip.
      const { threadId, checkpointNs } = input;
      for (const [channel, version, type, data] of input.blobs) {
        const encoded = data === null ? null : codec.encodeBytes(data);
        void sql.insertBlob.run(threadId, checkpointNs, channel, version, type, encoded?.data ?? null, encoded?.compressed ? 1 : 0);
      }
      const checkpoint = codec.encodeBytes(input.checkpoint);
      // JSON metadata is stored as text, so that list's filter can read it in SQL.
      const metadata = input.metadataType === 'json' ? utf8.decode(input.metadata) : input.metadata;
      void sql.upsertCheckpoint.run(threadId, checkpointNs, input.checkpointId, input.parentId, input.v, input.type,
        checkpoint.data, checkpoint.compressed ? 1 : 0, input.channelVersions, input.metadataType, metadata, sqlNow());
    },
  }),

  putWrites: op({
    kind: 'write',
    input: s.putWritesInput,
    run({ sql, codec }, { threadId, checkpointNs, checkpointId, taskId, taskPath, writes }): void {
      for (const [idx, channel, type, data] of writes) {
        const { data: stored, compressed } = codec.encodeBytes(data);
        // __error__, __interrupt__… (negative indexes) replace what was there; regular writes never do.
        const statement = idx < 0 ? sql.replaceWrite : sql.insertWrite;
        void statement.run(threadId, checkpointNs, checkpointId, taskId, idx, channel, type, stored, compressed ? 1 : 0, taskPath);
      }
    },
  }),

  getTuple: op({
    kind: 'read',
    input: s.getTupleInput,
    run(ctx, { threadId, checkpointNs, checkpointId }): Promise<WireTuple | null> {
      return inSnapshot(ctx, async () => {
        const row = (checkpointId === undefined
          ? await ctx.sql.latest.get(threadId, checkpointNs)
          : await ctx.sql.checkpoint.get(threadId, checkpointNs, checkpointId)) as CheckpointRow | undefined;
        return row === undefined ? null : readTuple(ctx, row);
      });
    },
  }),

  list: op({
    kind: 'read',
    input: s.listInput,
    run(ctx, { threadId, checkpointNs, checkpointId, before, filter, limit, after }): Promise<ListPage> {
      const { list } = ctx.sql;
      const statement = threadId === undefined ? list.everywhere : checkpointNs === undefined ? list.inThread : list.inNamespace;
      return inSnapshot(ctx, async () => {
        // One row more than asked says whether another page follows.
        // In one namespace, ids are unique: the page before's last id is the bound.
        const bound = statement === list.inNamespace ? after?.checkpointId ?? before : before;
        const rows = await statement.all(threadId ?? null, checkpointNs ?? null, bound ?? null, filter ?? null,
          after?.checkpointId ?? null, limit + 1, after?.checkpointNs ?? null, after?.threadId ?? null, checkpointId ?? null) as unknown as CheckpointRow[];
        const more = rows.length > limit;
        const tuples: WireTuple[] = [];
        for (const row of more ? rows.slice(0, limit) : rows) tuples.push(await readTuple(ctx, row));
        const last = tuples.at(-1);
        return more && last ? { tuples, next: { checkpointId: last.checkpointId, threadId: last.threadId, checkpointNs: last.checkpointNs } } : { tuples };
      });
    },
  }),

  deleteThread: op({
    kind: 'write',
    input: s.threadInput,
    async run({ sql }, { threadId }): Promise<number> {
      void sql.deleteThread.blobs.run(threadId);
      void sql.deleteThread.writes.run(threadId);
      return Number((await sql.deleteThread.checkpoints.run(threadId)).changes);
    },
  }),

  prune: op({
    kind: 'write',
    input: s.pruneInput,
    async run({ sql }, { threadId, keepLast }): Promise<PruneResult> {
      const checkpoints = Number((await sql.prune.checkpoints.run(threadId, keepLast)).changes);
      if (checkpoints === 0) return { checkpoints, writes: 0, blobs: 0 };
      const writes = Number((await sql.prune.writes.run(threadId)).changes);
      const blobs = Number((await sql.prune.blobs.run(threadId)).changes);
      return { checkpoints, writes, blobs };
    },
  }),

  /** store.cleanup's share: threads whose newest checkpoint was written before `before`; returns how many. */
  cleanupRetention: op({
    kind: 'write',
    input: s.retentionInput,
    async run({ sql }, { before }): Promise<number> {
      const threads = await sql.idleThreads.all(toSqlTime(before)) as unknown as { thread_id: string }[];
      for (const { thread_id: threadId } of threads) {
        void sql.deleteThread.blobs.run(threadId);
        void sql.deleteThread.writes.run(threadId);
        void sql.deleteThread.checkpoints.run(threadId);
      }
      return threads.length;
    },
  }),
};
