/**
 * A thread's history as LangGraph Studio shows it, from rows without values: each
 * checkpoint's step and source, the channels whose version moved since its parent (what
 * the step wrote), its pending writes by task, whether it waits on an interrupt, and the
 * fork points (a checkpoint with more than one child).
 *
 * @example
 * ```ts
 * const page = await historyPage(queryOf(store), { threadId: 't1', ns: '', limit: 50 });
 * page.items[0];   // { checkpointId, parentId, step, source, changed: ['messages'], writes: 1, interrupts: 0, … }
 * ```
 */
import type { Namespaces } from '../store.ts';
import { ERROR, INTERRUPT, isoTime, LG_SQL, metadataOf, RESUME, versionsOf } from './queries-langgraph.ts';

type Query = Namespaces['query'];

/** Pending writes listed for one page of history, at most (values are never read here). */
const WRITES_READ = 5_000;

export interface HistoryRow {
  checkpointId: string;
  parentId: string | null;
  step: number | null;
  source: string | null;
  createdAt: string | null;
  /** Channels whose version differs from the parent's (all of them for a first checkpoint). */
  changed: string[];
  /** The nodes whose writes made this step (the tasks that ran from its parent); null when the parent is off the page. */
  madeBy: string[] | null;
  writes: number;
  interrupts: number;
  resumed: boolean;
  errors: number;
  /** How many checkpoints continue from this one, when more than one (a fork). */
  children: number;
}

/**
 * The node a task ran, from its path (`~__pregel_pull, node`); the path itself otherwise.
 *
 * @example
 * ```ts
 * nodeOfPath('~__pregel_pull, approve');   // 'approve'
 * ```
 */
export function nodeOfPath(path: string): string {
  const match = /^~?__pregel_(?:pull|push), (.+)$/.exec(path);
  return match ? match[1]! : path;
}

/**
 * The channels whose version differs from the parent's: what a step wrote.
 *
 * @example
 * ```ts
 * changedChannels({ a: '2', b: '1' }, { a: '1', b: '1' });   // ['a']
 * ```
 */
export function changedChannels(versions: Record<string, string>, parent: Record<string, string> | undefined): string[] {
  return Object.keys(versions).filter((channel) => parent?.[channel] !== versions[channel]).sort();
}

export interface HistoryPage {
  items: HistoryRow[];
  /** The cursor of the next (older) page, or null. */
  next: string | null;
}

/** One page of a namespace's history, newest first, `before` a checkpoint id (the previous page's `next`). */
export async function historyPage(query: Query, { threadId, ns, limit, before }: { threadId: string; ns: string; limit: number; before?: string }): Promise<HistoryPage> {
  const [rows, forks] = await Promise.all([
    before === undefined ? query(LG_SQL.historyNewest, [threadId, ns, limit + 1]) : query(LG_SQL.historyBefore, [threadId, ns, before, limit + 1]),
    query(LG_SQL.forks, [threadId, ns]),
  ]);
  const shown = rows.slice(0, limit);
  if (shown.length === 0) return { items: [], next: null };
  const versions = new Map(rows.map((r) => [String(r.checkpoint_id), versionsOf(r.channel_versions)]));
  // A parent off the page (the oldest row's, a branch's): one primary-key read each.
  const missing = [...new Set(shown.map((r) => r.parent_checkpoint_id).filter((p) => p !== null && !versions.has(String(p))).map(String))];
  const found = await Promise.all(missing.map((id) => query(LG_SQL.versionsOf, [threadId, ns, id])));
  missing.forEach((id, i) => { if (found[i]![0]) versions.set(id, versionsOf(found[i]![0].channel_versions)); });
  // From the row past the page too: its writes made the page's oldest checkpoint.
  const writes = await query(LG_SQL.historyWrites, [threadId, ns, String(rows.at(-1)!.checkpoint_id), String(shown[0]!.checkpoint_id), WRITES_READ]);
  const byCheckpoint = Map.groupBy(writes, (w) => String(w.checkpoint_id));
  const read = new Set(rows.map((r) => String(r.checkpoint_id)));
  const nodesOf = (id: string) => [...new Set((byCheckpoint.get(id) ?? []).filter((w) => String(w.task_path) !== '').map((w) => nodeOfPath(String(w.task_path))))];
  const forkChildren = new Map(forks.map((f) => [String(f.parent_checkpoint_id), Number(f.children)]));
  return {
    items: shown.map((r): HistoryRow => {
      const id = String(r.checkpoint_id);
      const parentId = r.parent_checkpoint_id === null ? null : String(r.parent_checkpoint_id);
      const metadata = metadataOf(r.metadata_type, r.metadata);
      const own = byCheckpoint.get(id) ?? [];
      const count = (channel: string) => own.filter((w) => w.channel === channel).length;
      return {
        checkpointId: id,
        parentId,
        step: typeof metadata?.step === 'number' ? metadata.step : null,
        source: typeof metadata?.source === 'string' ? metadata.source : null,
        createdAt: isoTime(r.created_at),
        changed: changedChannels(versions.get(id)!, parentId === null ? undefined : versions.get(parentId)),
        // Only a step of the graph ('loop') is made by the tasks that ran from its parent: an update or a
        // fork is made by the caller, and the parent's writes may be another branch's.
        madeBy: parentId === null || metadata?.source !== 'loop' ? [] : read.has(parentId) ? nodesOf(parentId) : null,
        writes: own.length,
        interrupts: count(INTERRUPT),
        resumed: count(RESUME) > 0,
        errors: count(ERROR),
        children: forkChildren.get(id) ?? 0,
      };
    }),
    next: rows.length > limit ? String(shown.at(-1)!.checkpoint_id) : null,
  };
}
