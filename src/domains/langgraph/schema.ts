/**
 * What store.langgraph's operations take and give, as they cross to the workers: the
 * saver's values are already serde bytes (the serde is the caller's object and runs on
 * the caller's thread), so only strings, numbers and bytes travel.
 */
import { z } from 'zod';
import { MAX_ID_LENGTH, MAX_LIMIT, MAX_TEXT_LENGTH, instant } from '../common.ts';

/** A thread id, checkpoint id or task id: LangGraph's are uuids, users' are their own. */
export const lgId = z.string().min(1).max(MAX_ID_LENGTH);
/** A checkpoint namespace: '' is the root graph, `node:task|…` a subgraph's. */
export const lgNamespace = z.string().max(MAX_TEXT_LENGTH);
/** A channel name, a serde type name, a version as text, a task path. */
export const lgText = z.string().max(MAX_TEXT_LENGTH);
export const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected a Uint8Array');

/** One channel value a put says is new: channel, version (as text), serde type, bytes (null when the channel is empty). */
export const blobInput = z.tuple([lgText.min(1), lgText.min(1), lgText.min(1), bytes.nullable()]);
export type BlobInput = z.output<typeof blobInput>;

export const putCheckpointInput = z.object({
  threadId: lgId,
  checkpointNs: lgNamespace,
  checkpointId: lgId,
  parentId: lgId.nullable(),
  v: z.number().int().min(0).max(1_000_000),
  type: lgText.min(1),
  checkpoint: bytes,
  /** `{ channel: version as text }`, JSON: the blob keys the checkpoint is rebuilt from. */
  channelVersions: z.string().max(64 * 1024 * 1024),
  metadataType: lgText.min(1),
  metadata: bytes,
  blobs: z.array(blobInput).max(100_000),
}).strict();
export type PutCheckpointInput = z.output<typeof putCheckpointInput>;

/** One pending write: its index (negative for the special channels), channel, serde type, bytes. */
export const writeInput = z.tuple([z.number().int().min(-1_000).max(1_000_000), lgText.min(1), lgText.min(1), bytes]);

export const putWritesInput = z.object({
  threadId: lgId,
  checkpointNs: lgNamespace,
  checkpointId: lgId,
  taskId: lgId,
  taskPath: lgText,
  writes: z.array(writeInput).max(100_000),
}).strict();
export type PutWritesInput = z.output<typeof putWritesInput>;

export const getTupleInput = z.object({
  threadId: lgId,
  checkpointNs: lgNamespace,
  checkpointId: lgId.optional(),
}).strict();

/** Where a page of list() resumes: the last checkpoint of the page before. */
export const listCursor = z.object({ checkpointId: lgId, threadId: lgId, checkpointNs: lgNamespace }).strict();
export type ListCursor = z.output<typeof listCursor>;

export const listInput = z.object({
  threadId: lgId.optional(),
  checkpointNs: lgNamespace.optional(),
  /** Only this checkpoint (a config that names one). */
  checkpointId: lgId.optional(),
  /** Only checkpoints whose id sorts before this one. */
  before: lgId.optional(),
  /** Metadata keys and the values they must equal, as JSON text; absent for no filter. */
  filter: z.string().max(1024 * 1024).optional(),
  limit: z.number().int().min(1).max(MAX_LIMIT),
  after: listCursor.optional(),
}).strict();
export type ListInput = z.output<typeof listInput>;

export const threadInput = z.object({ threadId: lgId }).strict();
export const pruneInput = z.object({ threadId: lgId, keepLast: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }).strict();
export const retentionInput = z.object({ before: instant }).strict();

/** A stored blob as a read returns it: channel, serde type, bytes (inflated). */
export type WireBlob = [channel: string, type: string, data: Uint8Array | null];
/** A pending write as a read returns it: task id, channel, serde type, bytes. */
export type WireWrite = [taskId: string, channel: string, type: string, data: Uint8Array];

/** A checkpoint as a read returns it, every value still serde bytes. */
export interface WireTuple {
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
  parentId: string | null;
  type: string;
  checkpoint: Uint8Array;
  metadataType: string;
  /** JSON text when `metadataType` is 'json'. */
  metadata: string | Uint8Array;
  blobs: WireBlob[];
  writes: WireWrite[];
  /** For a checkpoint older than format 4: its parent's pending sends, to migrate into channel_values. */
  sends?: [type: string, data: Uint8Array][];
}

export interface ListPage {
  tuples: WireTuple[];
  /** Where the next page starts; absent when this page was the last. */
  next?: ListCursor;
}

export interface PruneResult {
  checkpoints: number;
  writes: number;
  blobs: number;
}
