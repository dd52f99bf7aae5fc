/**
 * The `flowstore` command line: parses, dispatches, and turns outcomes into exit
 * codes (0 ok, 1 failed, 2 bad usage) and errors into `code: message` lines.
 *
 * @example
 * ```sh
 * npx flowstore inspect ./flowstore.db
 * npx flowstore backup ./flowstore.db ./copy.db
 * npx flowstore ui ./flowstore.db --port 4646
 * FLOWSTORE_DB=./x.db npx flowstore runs failed --hours 6 --json
 * ```
 */
import { parseArgs } from 'node:util';
import { isFlowstoreError } from '../errors.ts';
import { UsageError, type Command, type CommandIo, type OptionSpecs } from './command.ts';
import { databasePath, openForCommand } from './open.ts';
import { bench } from './commands/bench.ts';
import { inspect } from './commands/inspect.ts';
import { backupCommand, check, cleanup, migrations, vacuum } from './commands/maintenance.ts';
import { queueCommand } from './commands/queue.ts';
import { runsCommand } from './commands/runs.ts';
import { stats } from './commands/stats.ts';
import { exportCommand, importCommand } from './commands/transfer.ts';
import { ui } from './commands/ui.ts';

export const COMMANDS: readonly Command[] = [inspect, stats, runsCommand, queueCommand, cleanup, backupCommand, check, vacuum, exportCommand, importCommand, migrations, bench, ui];

const GLOBAL_OPTIONS: OptionSpecs = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  schema: { type: 'string' },
};

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: flowstore <command> [db] [options]',
    '',
    'The database is the positional argument after the command (after the subcommand, and a job id, for runs and queue),',
    'else FLOWSTORE_DB: a SQLite file or a postgres:// URL (--schema names the PostgreSQL schema',
    'holding the store, flowstore by default). Every command takes --help, --json (machine output)',
    'and --verbose.',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 ok, 1 failed, 2 bad usage.',
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [`usage: ${command.usage}`, '', command.summary, ...(command.help ? ['', command.help] : []), '', 'Common options: --json, --verbose, --help, --schema (PostgreSQL)', ''].join('\n');
}

/** Runs one command line; resolves the exit code. */
export async function main(argv: readonly string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(overview());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`unknown command: ${name}\n\n${overview()}`);
    return 2;
  }
  let verbose = rest.includes('--verbose');
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...rest], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    verbose = values.verbose === true;
    if (values.help) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    const schema = values.schema as string | undefined;
    const open = (db: string | undefined, options: { create?: boolean; readOnly?: boolean } = {}) => openForCommand(databasePath(db, io), { ...options, schema });
    return await command.run({ values, positionals, json: values.json === true, verbose, io, open });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`usage error: ${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    const code = isFlowstoreError(error) ? error.code : ((error as NodeJS.ErrnoException)?.code ?? 'ERROR');
    io.stderr.write(`${code}: ${(error as Error)?.message ?? String(error)}\n`);
    if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
