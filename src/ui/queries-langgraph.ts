/**
 * The LangGraph pages' statements, over flowstore/langgraph's tables (see the 0006
 * migrations): the listings store.langgraph does not offer (threads, a thread's
 * namespaces, its history without channel values, its fork points, sizes). queries.ts's
 * rules hold: portable SQL, `?` placeholders, values bound; test/ui-queries.test.ts checks
 * each plan. No statement reads a value's bytes: sizes are `length()`, which neither
 * SQLite (overflow pages) nor PostgreSQL (TOAST) has to fetch the value for.
 *
 * @example
 * ```ts
 * const page = await threadPage(queryOf(store), 25, 0);   // newest first
 * ```
 */
import type { Namespaces } from '../store.ts';

type Query = Namespaces['query'];

/** The special channels of pending writes (LangGraph's WRITES_IDX_MAP), by what they mean on the page. */
export const INTERRUPT = '__interrupt__';
export const RESUME = '__resume__';
export const ERROR = '__error__';

const WRITES_OF = (channel: string) => `(SELECT COUNT(*) FROM lg_writes AS w WHERE w.thread_id = c.thread_id
    AND w.checkpoint_ns = c.checkpoint_ns AND w.checkpoint_id = c.checkpoint_id AND w.channel = '${channel}')`;

export const LG_SQL = {
  // Newest first by the newest checkpoint id, LangGraph's own order (time-ordered uuid6, as list() sorts):
  // one walk of the primary key's index, no table row read. Nothing indexes threads by time, so every
  // thread is grouped once per page; created_at would cost a read of every row.
  threads: `SELECT thread_id, COUNT(*) AS checkpoints, MAX(checkpoint_id) AS newest FROM lg_checkpoints
    GROUP BY thread_id ORDER BY newest DESC, thread_id LIMIT ? OFFSET ?`,
  // The root graph's newest checkpoint: its step and time, and whether it waits on an interrupt or failed.
  threadHead: `SELECT c.checkpoint_id, c.metadata_type, c.metadata, c.created_at,
      ${WRITES_OF(INTERRUPT)} AS interrupts, ${WRITES_OF(RESUME)} AS resumes, ${WRITES_OF(ERROR)} AS errors
    FROM lg_checkpoints AS c WHERE c.thread_id = ? AND c.checkpoint_ns = '' ORDER BY c.checkpoint_id DESC LIMIT 1`,
  threadBytes: `SELECT (SELECT SUM(length(checkpoint)) FROM lg_checkpoints WHERE thread_id = ?) AS checkpoint_bytes,
      (SELECT SUM(length(blob)) FROM lg_blobs WHERE thread_id = ?) AS blob_bytes,
      (SELECT SUM(length(blob)) FROM lg_writes WHERE thread_id = ?) AS write_bytes`,
  threadNamespaces: 'SELECT DISTINCT checkpoint_ns FROM lg_checkpoints WHERE thread_id = ? ORDER BY checkpoint_ns LIMIT ?',
  // A page of a namespace's history, newest first, without the checkpoint's bytes.
  historyNewest: `SELECT checkpoint_id, parent_checkpoint_id, metadata_type, metadata, channel_versions, created_at
    FROM lg_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT ?`,
  historyBefore: `SELECT checkpoint_id, parent_checkpoint_id, metadata_type, metadata, channel_versions, created_at
    FROM lg_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ? ORDER BY checkpoint_id DESC LIMIT ?`,
  // A parent that is not on the page: what its channels' versions were, to say what its child changed.
  versionsOf: 'SELECT channel_versions FROM lg_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?',
  // Every fork of the namespace: a checkpoint with more than one child (one pass over the namespace's rows).
  forks: `SELECT parent_checkpoint_id, COUNT(*) AS children FROM lg_checkpoints WHERE thread_id = ? AND checkpoint_ns = ?
    GROUP BY parent_checkpoint_id HAVING COUNT(*) > 1`,
  children: 'SELECT checkpoint_id FROM lg_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND parent_checkpoint_id = ? ORDER BY checkpoint_id LIMIT ?',
  // The pending writes of the page's checkpoints: which task wrote which channel, no value.
  historyWrites: `SELECT checkpoint_id, task_id, task_path, idx, channel FROM lg_writes
    WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id >= ? AND checkpoint_id <= ? ORDER BY checkpoint_id LIMIT ?`,
  // Which node each task of a checkpoint ran (getTuple's writes carry the task id only).
  taskPaths: 'SELECT task_id, task_path FROM lg_writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?',
} as const;

const num = (value: unknown): number => Number(value ?? 0);
const utf8 = new TextDecoder();

/**
 * A stored time ('YYYY-MM-DD HH:MM:SS.fff', UTC, on both backends) as ISO text, which a browser reads as UTC.
 *
 * @example
 * ```ts
 * isoTime('2024-05-01 10:00:00.250');   // '2024-05-01T10:00:00.250Z'
 * ```
 */
export function isoTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return /^\d{4}-\d\d-\d\d \d\d:\d\d/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
}

/**
 * Metadata stored as JSON (text on SQLite, bytes on PostgreSQL); null for another serde's or unreadable JSON.
 *
 * @example
 * ```ts
 * metadataOf('json', '{"source":"loop","step":2}');   // { source: 'loop', step: 2 }
 * ```
 */
export function metadataOf(type: unknown, stored: unknown): Record<string, unknown> | null {
  if (type !== 'json') return null;
  try {
    const value: unknown = JSON.parse(typeof stored === 'string' ? stored : utf8.decode(stored as Uint8Array));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null;
  } catch {
    return null;
  }
}

/**
 * `{ channel: version }` from the channel_versions column (flowstore wrote it; text on both backends).
 *
 * @example
 * ```ts
 * versionsOf('{"messages":"0002.51"}');   // { messages: '0002.51' }
 * ```
 */
export function versionsOf(text: unknown): Record<string, string> {
  try {
    const value: unknown = JSON.parse(String(text));
    return typeof value === 'object' && value !== null ? value as Record<string, string> : {};
  } catch {
    return {};
  }
}

export interface ThreadRow {
  threadId: string;
  checkpoints: number;
  step: number | null;
  source: string | null;
  updatedAt: string | null;
  status: 'interrupted' | 'error' | 'idle';
  bytes: number;
}

/** A page of threads, newest first, each with its checkpoint count, last step, state and stored size. */
export async function threadPage(query: Query, limit: number, offset: number): Promise<ThreadRow[]> {
  const threads = await query(LG_SQL.threads, [limit, offset]);
  return Promise.all(threads.map(async (row): Promise<ThreadRow> => {
    const id = String(row.thread_id);
    const [[head], [size]] = await Promise.all([query(LG_SQL.threadHead, [id]), query(LG_SQL.threadBytes, [id, id, id])]);
    const metadata = head ? metadataOf(head.metadata_type, head.metadata) : null;
    const interrupted = num(head?.interrupts) > 0 && num(head?.resumes) === 0;
    return {
      threadId: id,
      checkpoints: num(row.checkpoints),
      step: typeof metadata?.step === 'number' ? metadata.step : null,
      source: typeof metadata?.source === 'string' ? metadata.source : null,
      updatedAt: isoTime(head?.created_at),
      status: num(head?.errors) > 0 ? 'error' : interrupted ? 'interrupted' : 'idle',
      bytes: num(size?.checkpoint_bytes) + num(size?.blob_bytes) + num(size?.write_bytes),
    };
  }));
}
