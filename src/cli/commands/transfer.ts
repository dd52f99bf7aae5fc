/** `flowstore export` and `flowstore import`: JSON lines, stdout and stdin by default. */
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { FlowstoreError } from '../../errors.ts';
import { UsageError, type Command } from '../command.ts';
import { printJson } from '../format.ts';
import { progress } from '../progress.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'every table as JSON lines (stdout by default)',
  usage: 'flowstore export [db] [--out file.jsonl] [--force] [--json]',
  help: '--json prints a summary on stdout, so it needs --out. --force replaces an existing --out file.',
  options: { out: { type: 'string' }, force: { type: 'boolean' } },
  async run({ positionals, values, json, io, open }) {
    const out = values.out as string | undefined;
    if (json && out === undefined) throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', '--json prints a summary on stdout: give --out for the data');
    if (out !== undefined && existsSync(out) && values.force !== true) throw new FlowstoreError('FLOWSTORE_CONFLICT', `${out} exists (use --force)`);
    const store = await open(positionals[0]);
    try {
      const stream = out === undefined ? (io.stdout as Writable) : createWriteStream(out);
      const bar = progress(io, 'export', 'rows');
      const summary = await store.exportJsonl(stream, { onProgress: (p) => bar.update(p.rows, p.totalRows) });
      if (out !== undefined) {
        stream.end();
        await once(stream, 'finish');
      }
      bar.finish(`${summary.rows} rows from ${summary.tables} tables${out === undefined ? '' : ` written to ${out}`}`);
      if (json) printJson(io, { ...summary, out });
      return 0;
    } finally {
      await store.close();
    }
  },
};

export const importCommand: Command = {
  name: 'import',
  summary: 'load JSON lines from export into an empty store (stdin by default)',
  usage: 'flowstore import [db] [--in file.jsonl] [--json]',
  help: 'The store is created when missing; it must be empty. All rows go in one transaction, or none.',
  options: { in: { type: 'string' } },
  async run({ positionals, values, json, io, open }) {
    const file = values.in as string | undefined;
    if (file !== undefined && !existsSync(file)) throw new FlowstoreError('FLOWSTORE_NOT_FOUND', `no file at ${file}`);
    if (file === undefined && io.stdin.isTTY) throw new UsageError('import reads stdin: pipe an export into it, or give --in file.jsonl');
    const total = file === undefined ? undefined : statSync(file).size;
    const input = file === undefined ? (io.stdin as Readable) : createReadStream(file);
    const store = await open(positionals[0], { create: true });
    try {
      const bar = progress(io, 'import', total === undefined ? 'bytes' : 'bytes');
      const summary = await store.importJsonl(input, { onProgress: (p) => bar.update(p.bytes, total) });
      bar.finish(`${summary.rows} rows into ${summary.tables} tables`);
      if (json) printJson(io, summary);
      return 0;
    } finally {
      input.destroy?.();
      await store.close();
    }
  },
};
