/** One store per backend for a whole agents suite (opening one per test costs ~0.3 s); tests isolate by prefix or id. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { openStore, type Store } from '../src/index.ts';

/** Opens a store before the suite's tests and closes it after; call inside `describe`. */
export function suiteStore(path: string | undefined): () => Store {
  let store: Store | undefined;
  let dir: string | undefined;
  before(async () => {
    if (path === undefined) dir = mkdtempSync(join(tmpdir(), 'flowstore-agents-'));
    store = await openStore({ readers: 2, path: path ?? join(dir!, 'agents.db') });
  });
  after(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => store!;
}

let counter = 0;
/** A prefix no other test of the process uses. */
export function freshPrefix(label: string): string {
  counter += 1;
  return `${label}${counter}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export const agent = (agentId: string, extra: Record<string, unknown> = {}) => ({
  agentId,
  name: 'MyWorkerAgent',
  status: 'running',
  metadata: { type: 'worker', capacity: 100, tags: ['production'] },
  stateData: JSON.stringify({ tasks_processed: 42, current_task: 'task_123', memory_usage: '256MB' }),
  version: 1,
  ...extra,
});
