/** Opens the one connection a worker owns and sets it up for its role. */
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { SqliteConfig } from './settings.ts';
import { BUSY_SLICE_MS } from './retry.ts';
import { WRITER_AUTOCHECKPOINT_PAGES } from './checkpointer-core.ts';
import { FlowstoreError } from '../../errors.ts';
import { isBusy, isSqliteError } from './errors.ts';

export function openConnection(config: SqliteConfig, readOnly: boolean): DatabaseSync {
  const { filename, memory, walSizeLimitBytes } = config.settings;
  let db: DatabaseSync | undefined;
  // SQLite opens a missing file for reading as an empty database (and then knows no table):
  // a reader of a file that is gone (moved, deleted) says so instead.
  if (readOnly && !memory && !existsSync(filename)) {
    throw new FlowstoreError('FLOWSTORE_SQLITE', `cannot open ${filename}: no such file`, { details: { filename } });
  }
  try {
    db = new DatabaseSync(filename, { readOnly, timeout: BUSY_SLICE_MS, enableForeignKeyConstraints: true });
    // Reading the schema version touches the file header: a file that is not SQLite fails here, not later.
    db.prepare('PRAGMA schema_version').get();
    if (!readOnly) {
      // WAL lets readers run beside the writer; a memdb database has no WAL and keeps its journal in memory.
      if (!memory) {
        db.exec('PRAGMA journal_mode = WAL');
        db.exec(`PRAGMA wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
        // Once a checkpoint has copied the WAL back, the next commit truncates the file to this.
        db.exec(`PRAGMA journal_size_limit = ${walSizeLimitBytes}`);
      }
      // Durability 'full': SQLite syncs the WAL as each transaction commits, so one sync per batch.
      db.exec(`PRAGMA synchronous = ${config.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    }
    return db;
  } catch (cause) {
    db?.close();
    if (isBusy(cause)) throw cause;
    const errcode = isSqliteError(cause) ? cause.errcode : undefined;
    throw new FlowstoreError(errcode === 26 || errcode === 11 ? 'FLOWSTORE_CORRUPT' : 'FLOWSTORE_SQLITE',
      `cannot open ${filename}: ${(cause as Error).message}`, { details: { filename, errcode }, cause });
  }
}
