/** Shared test fixtures: temporary stores that close themselves, and a contract runner for every backend. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openStore, type Store, type StoreOptions } from '../src/index.ts';
import type { CheckpointerClient } from '../src/backends/sqlite/checkpointer-client.ts';
import { dropSchema, newSchemaName, postgresUrl } from './helpers-postgres.ts';

/** The `path` of the PostgreSQL entry of {@link BACKENDS}: {@link tempStore} gives each store a schema of its own. */
export const POSTGRES = 'postgres:test';

/**
 * Runs `fn` when the test ends, after the cleanups registered later (last in, first out, as
 * Go's t.Cleanup): a place is removed after the stores opened on it close, and a store
 * closes after the workers and processes started on it stop. Every cleanup runs even when
 * one fails; the first failure fails the test. (node:test runs `after` hooks in the order
 * they were added and skips the rest once one throws.)
 */
export function cleanup(t: TestContext, fn: () => unknown): void {
  const stack = cleanups.get(t);
  if (stack) return void stack.push(fn);
  const added = [fn];
  cleanups.set(t, added);
  t.after(async () => {
    const failures: unknown[] = [];
    for (let next = added.pop(); next; next = added.pop()) {
      try {
        await next();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  });
}

const cleanups = new WeakMap<TestContext, (() => unknown)[]>();

/** A fresh directory removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-test-'));
  cleanup(t, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Where a new temporary store lives: a new file (no path), `:memory:`, or, for
 * {@link POSTGRES}, a new schema on the test server; `remove` deletes it.
 */
export async function newLocation(path?: string): Promise<{ options: StoreOptions; remove: () => Promise<void> }> {
  if (path === POSTGRES) {
    const url = await postgresUrl();
    const schema = newSchemaName();
    return { options: { path: url, postgres: { schema } }, remove: () => dropSchema(url, schema) };
  }
  if (path !== undefined) return { options: { path }, remove: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-test-'));
  return { options: { path: join(dir, 'test.db') }, remove: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** {@link newLocation}, removed after the test, once the cleanups registered after this call (the stores opened on it) have run. */
export async function tempLocation(t: TestContext, path?: string): Promise<StoreOptions> {
  const { options, remove } = await newLocation(path);
  cleanup(t, remove);
  return options;
}

/** A store on a new temporary file, in memory or in a new PostgreSQL schema; closed after the test, before its place is removed. */
export async function tempStore(t: TestContext, options: StoreOptions = {}): Promise<Store> {
  const { options: location, remove } = await newLocation(options.path);
  const store = await openStore({ readers: 2, ...options, ...location, postgres: { ...options.postgres, ...location.postgres } });
  // One cleanup: the store closes, then its place is removed.
  cleanup(t, async () => {
    await store.close();
    await remove();
  });
  return store;
}

const ALL_BACKENDS = [
  { name: 'file', path: undefined },
  { name: ':memory:', path: ':memory:' },
  { name: 'postgres', path: POSTGRES },
] as const;

/**
 * The places a contract suite runs against: every one, or those FLOWSTORE_TEST_BACKENDS
 * names (`postgres`, `file,:memory:`), as CI's run of the PostgreSQL suites on PGlite does.
 */
export const BACKENDS: readonly (typeof ALL_BACKENDS)[number][] = (() => {
  const wanted = process.env.FLOWSTORE_TEST_BACKENDS?.split(',').map((name) => name.trim()).filter(Boolean);
  return wanted?.length ? ALL_BACKENDS.filter((backend) => wanted.includes(backend.name)) : ALL_BACKENDS;
})();

/** A test's statement written with `?` for each value, numbered `$1`, `$2`… for PostgreSQL's store.query. */
export function sqlFor(path: string | undefined, sql: string): string {
  let n = 0;
  return path === POSTGRES ? sql.replace(/\?/g, () => `$${++n}`) : sql;
}

/**
 * Whether this Node's node:sqlite reads back a text value past a NUL character: Node 22's
 * stops at the first one (24 and later read it whole). A test of NUL in text says so and
 * skips where it cannot hold.
 */
export const SQLITE_TEXT_KEEPS_NUL: true | string = (() => {
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
  const db = new DatabaseSync(':memory:');
  const kept = (db.prepare('SELECT ? AS t').get('a\u0000b') as { t: string }).t === 'a\u0000b';
  db.close();
  return kept ? true : `node:sqlite on Node ${process.versions.node} reads text only up to a NUL`;
})();

/**
 * Resolves with what `check` returns once it is truthy, polled every `everyMs`; rejects
 * naming `what` after `timeoutMs`. For conditions a loaded machine reaches late, never a fixed sleep.
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000, everyMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A file store's checkpointer thread, once it has started (a while after the store opened). */
export function checkpointerOf(store: Store): Promise<CheckpointerClient> {
  const internals = () => (store as unknown as Record<symbol, { companion: CheckpointerClient | undefined }>)[Symbol.for('flowstore.internals')]!;
  return waitFor(() => internals().companion, 'the checkpointer thread to start');
}

/**
 * Resolves once the store's first reader thread is ready: until then the writer serves short
 * reads (ReaderClient.serveEarlyReadsWith), and a test of what happens on a reader needs them there.
 */
export async function readerReady(store: Store): Promise<void> {
  const internals = () => (store as unknown as Record<symbol, { readers: { ready: boolean } }>)[Symbol.for('flowstore.internals')]!;
  await waitFor(() => internals().readers.ready, 'the first reader thread to be ready');
}
