/** One store per backend for a whole agents suite (opening one per test costs ~0.3 s); tests isolate by prefix or id. */
import { after, before } from 'node:test';
import { openStore, type Store } from '../src/index.ts';
import { newLocation } from './helpers.ts';

/** Opens a store (on a new file, in memory, or in a new PostgreSQL schema) before the suite's tests and removes it after; call inside `describe`. */
export function suiteStore(path: string | undefined): () => Store {
  let store: Store | undefined;
  let remove: (() => Promise<void>) | undefined;
  before(async () => {
    const location = await newLocation(path);
    remove = location.remove;
    store = await openStore({ readers: 2, ...location.options });
  });
  after(async () => {
    await store?.close();
    await remove?.();
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
