/**
 * The serde's side of the saver, on the caller's thread: a checkpoint and its new channel
 * values into bytes for a put, and a stored tuple back into LangGraph's CheckpointTuple.
 */
import {
  maxChannelVersion, TASKS, WRITES_IDX_MAP,
  type ChannelVersions, type Checkpoint, type CheckpointMetadata, type CheckpointPendingWrite, type CheckpointTuple,
  type PendingWrite, type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import type { BlobInput, PutCheckpointInput, WireTuple } from '../domains/langgraph/schema.ts';
import { checkedRecord, invalid } from './config.ts';

/** The type a blob row has when a put says a channel changed but the checkpoint holds no value for it. */
const EMPTY = 'empty';

function bytesOf(data: Uint8Array | ArrayBufferLike | string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return new TextEncoder().encode(data);
  return new Uint8Array(data);
}

async function dump(serde: SerializerProtocol, value: unknown): Promise<[string, Uint8Array]> {
  const [type, data] = await serde.dumpsTyped(value);
  return [type, bytesOf(data)];
}

function versionText(version: unknown, field: string): string {
  if (typeof version === 'string' && version.length > 0) return version;
  if (typeof version === 'number' && Number.isFinite(version)) return String(version);
  throw invalid(field, 'must be a number or a non-empty string');
}

/** What put() sends: the checkpoint without its values, the metadata, and a blob for each channel `newVersions` names. */
export async function encodeCheckpoint(serde: SerializerProtocol, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions):
  Promise<Omit<PutCheckpointInput, 'threadId' | 'checkpointNs' | 'parentId'>> {
  checkedRecord(checkpoint, 'checkpoint');
  checkedRecord(metadata, 'metadata');
  checkedRecord(newVersions, 'newVersions');
  const values = checkedRecord(checkpoint.channel_values ?? {}, 'checkpoint.channel_values');
  const versions = checkedRecord(checkpoint.channel_versions ?? {}, 'checkpoint.channel_versions');
  if (typeof checkpoint.id !== 'string' || checkpoint.id === '') throw invalid('checkpoint.id', 'must be a non-empty string');
  const keys: Record<string, string> = {};
  for (const [channel, version] of Object.entries(versions)) keys[channel] = versionText(version, `checkpoint.channel_versions.${channel}`);
  const { channel_values: _values, ...skeleton } = checkpoint;
  const blobs = Object.entries(newVersions).map(async ([channel, version]): Promise<BlobInput> => {
    const text = versionText(version, `newVersions.${channel}`);
    if (!Object.hasOwn(values, channel)) return [channel, text, EMPTY, null];
    const [type, data] = await dump(serde, values[channel]);
    return [channel, text, type, data];
  });
  const [[type, bytes], [metadataType, metadataBytes], ...stored] = await Promise.all([dump(serde, skeleton), dump(serde, metadata), ...blobs]);
  return {
    checkpointId: checkpoint.id,
    v: Number.isInteger(checkpoint.v) && checkpoint.v >= 0 ? checkpoint.v : 0,
    type, checkpoint: bytes, channelVersions: JSON.stringify(keys), metadataType, metadata: metadataBytes, blobs: stored,
  };
}

/** A task's writes as putWrites() sends them: each with its index (WRITES_IDX_MAP's for the special channels). */
export function encodeWrites(serde: SerializerProtocol, writes: PendingWrite[]): Promise<[number, string, string, Uint8Array][]> {
  if (!Array.isArray(writes)) throw invalid('writes', 'must be an array of [channel, value]');
  return Promise.all(writes.map(async (write, i) => {
    if (!Array.isArray(write) || typeof write[0] !== 'string' || write[0] === '') throw invalid(`writes.${i}`, 'must be [channel, value]');
    const [type, data] = await dump(serde, write[1]);
    return [Object.hasOwn(WRITES_IDX_MAP, write[0]) ? WRITES_IDX_MAP[write[0]]! : i, write[0], type, data] as [number, string, string, Uint8Array];
  }));
}

function configOf(threadId: string, checkpointNs: string, checkpointId: string) {
  return { configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpointId } };
}

/**
 * A stored tuple as LangGraph's CheckpointTuple. A checkpoint older than format 4 gets its
 * parent's pending sends as the TASKS channel, as LangGraph's own savers migrate them.
 */
export async function decodeTuple(serde: SerializerProtocol, wire: WireTuple, firstVersion: () => string): Promise<CheckpointTuple> {
  const [skeleton, metadata, values, pendingWrites, sends] = await Promise.all([
    serde.loadsTyped(wire.type, wire.checkpoint) as Promise<Omit<Checkpoint, 'channel_values'>>,
    serde.loadsTyped(wire.metadataType, wire.metadata) as Promise<CheckpointMetadata>,
    Promise.all(wire.blobs.filter(([, type]) => type !== EMPTY).map(async ([channel, type, data]) => [channel, await serde.loadsTyped(type, data!)] as const)),
    Promise.all(wire.writes.map(async ([taskId, channel, type, data]): Promise<CheckpointPendingWrite> => [taskId, channel, await serde.loadsTyped(type, data)])),
    wire.sends ? Promise.all(wire.sends.map(([type, data]) => serde.loadsTyped(type, data))) : undefined,
  ]);
  const checkpoint: Checkpoint = {
    ...skeleton,
    channel_versions: skeleton.channel_versions ?? {},
    versions_seen: skeleton.versions_seen ?? {},
    channel_values: Object.fromEntries(values),
  };
  if (sends) {
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_values[TASKS] = sends;
    checkpoint.channel_versions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : firstVersion();
  }
  const tuple: CheckpointTuple = { config: configOf(wire.threadId, wire.checkpointNs, wire.checkpointId), checkpoint, metadata, pendingWrites };
  if (wire.parentId !== null) tuple.parentConfig = configOf(wire.threadId, wire.checkpointNs, wire.parentId);
  return tuple;
}
