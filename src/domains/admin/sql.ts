/** Statements of the admin domain, prepared once per connection. Generic table statements live in tables.ts. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { TableStatements } from './tables.ts';

export function prepareAdmin(db: DatabaseSync) {
  return {
    db,
    queryCache: new Map<string, StatementSync>(),
    integrity: db.prepare('PRAGMA integrity_check'),
    // Any read takes the snapshot that a BEGIN (deferred) only announces.
    snapshot: db.prepare('SELECT COUNT(*) FROM sqlite_master'),
    vacuum: db.prepare('VACUUM'),
    vacuumInto: db.prepare('VACUUM INTO ?'),
    migrations: db.prepare('SELECT version, name, description, checksum, applied_at FROM flowstore_migrations ORDER BY version'),
    pageCount: db.prepare('PRAGMA page_count'),
    pageSize: db.prepare('PRAGMA page_size'),
    freelist: db.prepare('PRAGMA freelist_count'),
    deferForeignKeys: db.prepare('PRAGMA defer_foreign_keys = ON'),
    tables: new TableStatements(db),
  };
}

export type AdminStatements = ReturnType<typeof prepareAdmin>;

export interface MigrationRow {
  version: number;
  name: string;
  description: string;
  checksum: string;
  applied_at: string;
}
