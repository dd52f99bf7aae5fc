/**
 * Checkpoints, off the writer's thread. Copying WAL pages back into the database file
 * (and, with durability 'full', syncing it) would otherwise run inside the writer's
 * commits every thousand pages. A PASSIVE checkpoint from this second connection runs
 * beside the writer without blocking it. The writer keeps a much higher auto-checkpoint
 * threshold of its own, so the WAL stays bounded even if this thread stops.
 *
 * The WAL file keeps the size of the largest burst it held: SQLite writes it again from
 * its start once a checkpoint has copied it all back, but never shrinks it by itself.
 * The writer's `journal_size_limit` truncates it on the first commit after such a
 * restart; when no commit comes (the burst was the last), this thread truncates it.
 */
import { existsSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { MessagePort } from 'node:worker_threads';
import type { SqliteConfig } from './settings.ts';

/**
 * How often the WAL is checked for frames to copy back. Each checkpoint that copies
 * anything syncs the WAL and the database file, and those syncs queue at the disk with
 * the writer's own: every 100 ms rather than every 20 ms let durability 'full' commit
 * about a tenth faster (A/B, 5 runs each: 62-72k -> 63-76k saves/s).
 */
export const CHECKPOINT_INTERVAL_MS = 100;
/** The writer's own auto-checkpoint threshold (pages): a safety net, not the normal path. */
export const WRITER_AUTOCHECKPOINT_PAGES = 16_000;

export function runCheckpointer(config: SqliteConfig, port: MessagePort): void {
  const { filename, walSizeLimitBytes } = config.settings;
  // Opening would create the file if it were gone (moved or deleted under the store, before
  // this thread started): an empty database readers would then open. Nothing to checkpoint.
  if (!existsSync(filename)) {
    port.once('message', () => port.close());
    return;
  }
  const db = new DatabaseSync(filename, { timeout: 0 });
  // A checkpoint syncs according to this connection's setting, so it must match the writer's.
  db.exec(`PRAGMA synchronous = ${config.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  const truncate = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)');
  const walFile = `${filename}-wal`;
  let lastLog = -1;
  const timer = setInterval(() => {
    try {
      const { busy, log, checkpointed } = checkpoint.get() as { busy: number; log: number; checkpointed: number };
      // Everything copied back and nothing written since the last tick: the writer is idle,
      // so taking its lock for a moment costs it nothing. Without a busy timeout this
      // connection gives up at once if the writer or a reader is in the way.
      const idle = busy === 0 && log > 0 && log === checkpointed && log === lastLog;
      lastLog = log;
      if (idle && (statSync(walFile, { throwIfNoEntry: false })?.size ?? 0) > walSizeLimitBytes) truncate.get();
    } catch {
      // Busy (another checkpoint, a recovery): the next tick tries again.
    }
  }, CHECKPOINT_INTERVAL_MS);
  port.once('message', () => {
    clearInterval(timer);
    db.close();
    port.close();
  });
}
