/**
 * Reading checkpoints on a worker: a row, the blobs its channel_versions name, its pending
 * writes in writesSortKey order, all inflated here so that the caller's thread only runs
 * the serde. A value that does not inflate rejects that read with FLOWSTORE_CORRUPT.
 */
import type { Codec } from '../../codec.ts';
import { FlowstoreError, isFlowstoreError } from '../../errors.ts';
import type { OpContext } from '../../engine/op.ts';
import type { WireBlob, WireTuple, WireWrite } from './schema.ts';
import type { BlobRow, CheckpointRow, LangGraphStatements, WriteRow } from './statements.ts';

/** LangGraph's TASKS channel, whose writes on a parent become a pre-format-4 checkpoint's pending sends. */
export const TASKS_CHANNEL = '__pregel_tasks';
/** The first checkpoint format that keeps pending sends in a channel of its own. */
const SENDS_IN_CHANNELS = 4;

function inflate(codec: Codec, row: CheckpointRow, what: string, data: unknown, compressed: number): Uint8Array {
  try {
    return codec.decodeBytes(data, compressed);
  } catch (cause) {
    if (!isFlowstoreError(cause) || cause.code !== 'FLOWSTORE_CORRUPT') throw cause;
    throw new FlowstoreError('FLOWSTORE_CORRUPT', `${what} of checkpoint ${row.checkpoint_id} in thread ${JSON.stringify(row.thread_id)}: ${cause.message}`, {
      details: { ...cause.details, threadId: row.thread_id, checkpointNs: row.checkpoint_ns, checkpointId: row.checkpoint_id, what }, cause,
    });
  }
}

/** Everything a tuple needs, for one checkpoint row. */
export async function readTuple({ sql, codec }: OpContext<LangGraphStatements>, row: CheckpointRow): Promise<WireTuple> {
  const { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpointId } = row;
  const blobRows = await sql.blobs.all(row.channel_versions, threadId, checkpointNs) as unknown as BlobRow[];
  const blobs = blobRows.map((b): WireBlob => [b.channel, b.type, b.blob === null ? null : inflate(codec, row, `channel ${b.channel}`, b.blob, b.compressed)]);
  const writeRows = await sql.writes.all(threadId, checkpointNs, checkpointId) as unknown as WriteRow[];
  const writes = writeRows.map((w): WireWrite => [w.task_id, w.channel, w.type, inflate(codec, row, `write ${w.task_id}/${w.channel}`, w.blob, w.compressed)]);
  const tuple: WireTuple = {
    threadId, checkpointNs, checkpointId, parentId: row.parent_checkpoint_id,
    type: row.type, checkpoint: inflate(codec, row, 'checkpoint', row.checkpoint, row.compressed),
    metadataType: row.metadata_type, metadata: row.metadata, blobs, writes,
  };
  if (row.v < SENDS_IN_CHANNELS && row.parent_checkpoint_id !== null) {
    const sends = await sql.sends.all(threadId, checkpointNs, row.parent_checkpoint_id, TASKS_CHANNEL) as unknown as { type: string; blob: Uint8Array; compressed: number }[];
    if (sends.length > 0) tuple.sends = sends.map((s) => [s.type, inflate(codec, row, 'pending send', s.blob, s.compressed)]);
  }
  return tuple;
}

/** Runs a read of several statements in one snapshot; on the writer it is inside the batch's transaction already. */
export async function inSnapshot<T>(ctx: OpContext<LangGraphStatements>, work: () => Promise<T>): Promise<T> {
  if (ctx.writable) return work();
  await ctx.sql.beginRead.run();
  try {
    return await work();
  } finally {
    await ctx.sql.endRead.run();
  }
}
