/** Shared test fixtures: temporary stores that close themselves, and a contract runner for file and :memory:. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openStore, type Store, type StoreOptions } from '../src/index.ts';

/** A fresh directory removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store on a new temporary file (or in memory), closed after the test, before its directory is removed. */
export async function tempStore(t: TestContext, options: StoreOptions = {}): Promise<Store> {
  const dir = options.path === undefined ? mkdtempSync(join(tmpdir(), 'flowstore-test-')) : undefined;
  const store = await openStore({ readers: 2, ...options, path: options.path ?? join(dir!, 'test.db') });
  // One hook, in this order: after hooks run in the order they were added.
  t.after(async () => {
    await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

/** The two places a contract suite runs against. */
export const BACKENDS = [
  { name: 'file', path: undefined },
  { name: ':memory:', path: ':memory:' },
] as const;
