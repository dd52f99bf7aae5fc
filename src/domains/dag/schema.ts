/** Inputs and records of store.dag (seed 000), camelCase of the document's names. */
import { z } from 'zod';
import { id, MAX_ID_LENGTH } from '../common.ts';

export const EXECUTION_STATE_TYPES = ['active', 'pending'] as const;
export type ExecutionStateType = (typeof EXECUTION_STATE_TYPES)[number];

/** One node's outputs: `key → value`, as a plain object or a Map. */
export type NodeEntries = Record<string, unknown> | ReadonlyMap<string, unknown>;
/** What saveCache and saveCacheDelta take: `nodeId → key → value`, plain objects or Maps at either level. */
export type CacheInput = Record<string, NodeEntries> | ReadonlyMap<string, NodeEntries>;
/** What loadCache returns: `nodeId → key → value`, plain objects. */
export type DagCache = Record<string, Record<string, unknown>>;

/** One artifact as it travels to the writer: node id, key, value. */
export type CacheEntry = [nodeId: string, key: string, value: unknown];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Own keys through Object.keys, so that a `__proto__` key is an entry like any other (zod's record drops it). */
function entriesOf(value: unknown): [unknown, unknown][] | undefined {
  if (value instanceof Map) return Array.from(value);
  if (isPlainObject(value)) return Object.keys(value).map((key) => [key, value[key]]);
  return undefined;
}

function isKey(key: unknown): key is string {
  return typeof key === 'string' && key.length >= 1 && key.length <= MAX_ID_LENGTH;
}

const KEY_MESSAGE = `must be a string of 1 to ${MAX_ID_LENGTH} characters`;

/** Flattens `nodeId → key → value` into entries; names the offending node or key when one is wrong. */
export const cacheInput = z.unknown().transform((input, ctx): CacheEntry[] => {
  const nodes = entriesOf(input);
  if (nodes === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a plain object or a Map of nodeId → { key → value }', input });
    return z.NEVER;
  }
  const entries: CacheEntry[] = [];
  for (const [nodeId, node] of nodes) {
    if (!isKey(nodeId)) {
      ctx.addIssue({ code: 'custom', message: `node id ${KEY_MESSAGE}`, path: [String(nodeId)], input: nodeId });
      return z.NEVER;
    }
    const keys = entriesOf(node);
    if (keys === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a plain object or a Map of key → value', path: [nodeId], input: node });
      return z.NEVER;
    }
    for (const [key, value] of keys) {
      if (!isKey(key)) {
        ctx.addIssue({ code: 'custom', message: `key ${KEY_MESSAGE}`, path: [nodeId, String(key)], input: key });
        return z.NEVER;
      }
      entries.push([nodeId, key, value]);
    }
  }
  return entries;
});

export const bytesInput = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected a Uint8Array');
const stateType = z.enum(EXECUTION_STATE_TYPES);

export const dagIdInput = z.object({ dagId: id }).strict();
export const saveCacheInput = z.object({ dagId: id, cache: cacheInput }).strict();
export const saveTreeInput = z.object({ dagId: id, tree: z.unknown() }).strict();
export const saveSnapshotInput = z.object({ dagId: id, data: bytesInput }).strict();
export const snapshotIdInput = z.object({ dagId: id, id: z.number().int().positive() }).strict();
export const pruneInput = z.object({ dagId: id, keep: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict();
export const saveStateInput = z.object({ dagId: id, stateType, data: bytesInput }).strict();
export const loadStateInput = z.object({ dagId: id, stateType }).strict();
export const dumpInput = z.object({}).strict();

/** One snapshot as listSnapshots describes it, oldest first. */
export interface SnapshotInfo {
  /** Increasing with every save, so it orders snapshots taken in the same millisecond. */
  id: number;
  /** Bytes as saved. */
  size: number;
  /** Bytes in the database (after compression). */
  storedSize: number;
  compressed: boolean;
  createdAt: Date;
}

/** One DAG's line of {@link DagDump}; byte counts are what the database holds (after compression). */
export interface DagDumpEntry {
  dagId: string;
  artifactEntries: number;
  executionTreeBytes: number | null;
  snapshotCount: number;
  snapshotBytes: number;
  stateBytes: { active: number | null; pending: number | null };
}

/** What debugDump returns: per-DAG data, and the text the document's `debug_print_db` prints. */
export interface DagDump {
  dags: DagDumpEntry[];
  text: string;
}
