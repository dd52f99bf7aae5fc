/** What every `flowstore` command declares, and what it is given to run. */
import type { ParseArgsConfig } from 'node:util';
import type { Store } from '../store.ts';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

export interface CommandArgs {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
  readonly json: boolean;
  readonly verbose: boolean;
  readonly io: CommandIo;
  /**
   * Opens the database a command names: `db` (a file or a `postgres://` URL, in the
   * `--schema` given), else FLOWSTORE_DB; `create` allows a new file, and never creates
   * one otherwise; `readOnly` opens it with no writer.
   */
  readonly open: (db: string | undefined, options?: { create?: boolean; readOnly?: boolean }) => Promise<Store>;
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** `flowstore <name> …` synopsis. */
  readonly usage: string;
  /** Extra paragraphs for `--help`: options, examples. */
  readonly help?: string;
  readonly options?: OptionSpecs;
  /** Resolves the exit code: 0 ok, 1 failed. Usage errors throw {@link UsageError}. */
  run(args: CommandArgs): Promise<number>;
}

/** Bad usage: exit code 2, with the command's synopsis. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
