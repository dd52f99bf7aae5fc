/** `flowstore ui`: serves a read-only dashboard of the store until Ctrl-C. */
import { once } from 'node:events';
import { DEFAULT_UI_HOST, DEFAULT_UI_PORT } from '../../ui/defaults.ts';
import { UsageError, type Command } from '../command.ts';
import { printJson } from '../format.ts';

function portOf(value: unknown): number {
  if (value === undefined) return DEFAULT_UI_PORT;
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value) || Number(value) > 65_535) throw new UsageError(`--port must be a number from 0 to 65535, not ${String(value)}`);
  return Number(value);
}

export const ui: Command = {
  name: 'ui',
  summary: 'serve a read-only dashboard of the store on localhost, until Ctrl-C',
  usage: 'flowstore ui [db] [--port N] [--host H] [--schema S]',
  help: [
    `Options: --port N (default ${DEFAULT_UI_PORT}; 0 picks a free one), --host H (default ${DEFAULT_UI_HOST}; another`,
    'address makes the dashboard reachable from other machines, without any login: use with care).',
    'The store is opened with readOnly: true: the dashboard never changes the file.',
  ].join('\n'),
  options: { port: { type: 'string' }, host: { type: 'string' } },
  async run({ values, positionals, json, io, open }) {
    const port = portOf(values.port);
    const host = typeof values.host === 'string' ? values.host : DEFAULT_UI_HOST;
    const store = await open(positionals[0], { readOnly: true });
    try {
      // Loaded here, not with the command line: the other commands start without the server.
      const { startDashboard } = await import('../../ui/server.ts');
      const dashboard = await startDashboard({ store, port, host });
      if (json) printJson(io, { url: dashboard.url, path: store.path, readOnly: true });
      else io.stdout.write(`flowstore ui: ${dashboard.url} (read-only view of ${store.path}; Ctrl-C stops)\n`);
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
      await dashboard.close();
      return 0;
    } finally {
      await store.close();
    }
  },
};
