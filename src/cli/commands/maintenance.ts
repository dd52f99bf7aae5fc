/** Looking after a store: cleanup, backup, check, vacuum, migrations. */
import { UsageError, type Command } from '../command.ts';
import { printJson, table } from '../format.ts';
import { progress } from '../progress.ts';

export const cleanup: Command = {
  name: 'cleanup',
  summary: 'delete finished work older than N days (never running work)',
  usage: 'flowstore cleanup [db] --days N [--status s[,s…]] [--json]',
  help: '--status limits which finished statuses go (default: every status but running).',
  options: { days: { type: 'string' }, status: { type: 'string' } },
  async run({ positionals, values, json, io, open }) {
    if (values.days === undefined) throw new UsageError('cleanup needs --days N');
    const days = Number(values.days);
    if (!Number.isFinite(days) || days <= 0) throw new UsageError('--days must be a positive number');
    const statuses = typeof values.status === 'string' ? values.status.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    const store = await open(positionals[0]);
    try {
      const bar = json ? undefined : progress(io, 'cleanup', 'domains');
      bar?.update(0, 1);
      const result = await store.cleanup({ olderThanDays: days, statuses });
      bar?.update(1, 1);
      if (json) printJson(io, result);
      else {
        bar?.finish(`deleted ${result.total}`);
        io.stdout.write(`deleted ${result.total} records older than ${days} days (runs ${result.runs}, aaow sessions ${result.aaow}, agent sessions ${result.agents})\n`);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

export const backupCommand: Command = {
  name: 'backup',
  summary: 'online backup of the live database to a new file',
  usage: 'flowstore backup [db] <dest> [--force] [--json]',
  help: 'Safe while other processes write. --force replaces an existing dest.\nA PostgreSQL store is copied into a new SQLite file (flowstore import takes it back).',
  options: { force: { type: 'boolean' } },
  async run({ positionals, values, json, io, open }) {
    if (positionals.length === 0 || positionals.length > 2) throw new UsageError('backup needs a destination file');
    const [db, dest] = positionals.length === 2 ? positionals : [undefined, positionals[0]!];
    const store = await open(db);
    try {
      const bar = progress(io, 'backup', store.backend === 'postgres' ? 'rows' : 'pages');
      const result = await store.backup(dest!, {
        overwrite: values.force === true,
        onProgress: (p) => ('totalPages' in p ? bar.update(p.totalPages - p.remainingPages, p.totalPages) : bar.update(p.totalRows - p.remainingRows, p.totalRows)),
      });
      bar.finish(`${result.pages} pages written to ${result.dest}`);
      if (json) printJson(io, result);
      return 0;
    } finally {
      await store.close();
    }
  },
};

export const check: Command = {
  name: 'check',
  summary: 'integrity check (exit 1 when the database is damaged)',
  help: 'SQLite: PRAGMA integrity_check. PostgreSQL: every index valid, every constraint validated,\nevery table readable, and amcheck (bt_index_check, verify_heapam) when the database has it.',
  usage: 'flowstore check [db] [--json]',
  async run({ positionals, json, io, open }) {
    const store = await open(positionals[0]);
    try {
      const result = await store.checkIntegrity();
      if (json) printJson(io, result);
      else io.stdout.write(result.ok ? 'ok\n' : `${result.messages.join('\n')}\n`);
      return result.ok ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};

export const vacuum: Command = {
  name: 'vacuum',
  summary: 'rewrite the file without free pages (or --into a new file)',
  usage: 'flowstore vacuum [db] [--into file] [--json]',
  help: 'PostgreSQL: VACUUM (ANALYZE) of the store\'s tables; --into writes a SQLite copy.',
  options: { into: { type: 'string' } },
  async run({ positionals, values, json, io, open }) {
    const store = await open(positionals[0]);
    try {
      const before = await store.tableStats();
      const into = values.into as string | undefined;
      if (into !== undefined) await store.vacuumInto(into);
      else await store.vacuum();
      const after = await store.tableStats();
      const result = { into: into ?? null, bytesBefore: before.bytes, bytesAfter: into === undefined ? after.bytes : null, freePagesBefore: before.freePages };
      if (json) printJson(io, result);
      else io.stdout.write(into === undefined ? `vacuumed: ${before.bytes} → ${after.bytes} bytes\n` : `compacted copy written to ${into}\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};

export const migrations: Command = {
  name: 'migrations',
  summary: 'the migrations applied to the database',
  usage: 'flowstore migrations [db] [--json]',
  async run({ positionals, json, io, open }) {
    const store = await open(positionals[0]);
    try {
      const rows = await store.migrations();
      if (json) printJson(io, rows);
      else io.stdout.write(table(rows.map((m) => ({ ...m, checksum: m.checksum.slice(0, 12) })), ['version', 'name', 'appliedAt', 'checksum', 'description']));
      return 0;
    } finally {
      await store.close();
    }
  },
};
