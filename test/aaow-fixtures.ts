/**
 * Shared fixtures of the aaow adapter tests. Opening a store costs threads, so cases that
 * only touch their own ids share one adapter per backend, each with its own id prefix;
 * cases that list everything get a fresh adapter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, type TestContext } from 'node:test';
import { SQLiteStorageAdapter, type Workflow } from '../src/aaow/index.ts';
import { cleanup, tempDir } from './helpers.ts';
import { dropSchema, newSchemaName, postgresUrl } from './helpers-postgres.ts';

export type Ids = (id: string) => string;
export interface Backend {
  readonly name: string;
  /** A new place each call, as the URL a user gives the adapter. */
  readonly url: (t: TestContext) => Promise<string>;
  /** Data outlives the adapter that wrote it (not so on :memory:). */
  readonly persistent: boolean;
}

const schemas: { url: string; schema: string }[] = [];

/** A new schema on the test server, named the way a Prisma DATABASE_URL names it; dropped once the file's tests are done. */
export async function postgresPlace(): Promise<string> {
  const url = await postgresUrl();
  const schema = newSchemaName();
  schemas.push({ url, schema });
  return `${url}?schema=${schema}`;
}

/** The places the adapter suite runs: a file URL as aaow writes it, the in-memory URL, and a PostgreSQL URL. */
export const AAOW_BACKENDS: readonly Backend[] = [
  { name: 'file', url: async (t) => `file:${join(tempDir(t), 'test.db')}`, persistent: true },
  { name: ':memory:', url: async () => 'file::memory:?cache=shared', persistent: false },
  { name: 'postgres', url: () => postgresPlace(), persistent: true },
];

let nextPrefix = 1;
/** A fresh id namespace: `u('wf-1')` is unique to the calling test. */
export function ids(): Ids {
  const prefix = `t${nextPrefix++}:`;
  return (id) => `${prefix}${id}`;
}

/** One reader thread; on PostgreSQL two read connections, so that test files side by side stay well within the server's connections. */
const SMALL = { readers: 1, postgres: { poolSize: 2 } } as const;

export async function tempAdapter(t: TestContext, url: string, options: { transactionTimeoutMs?: number; highWaterMark?: number } = {}): Promise<SQLiteStorageAdapter> {
  const adapter = new SQLiteStorageAdapter({ filename: url, ...SMALL, ...options });
  await adapter.initialize();
  cleanup(t, () => adapter.close());
  return adapter;
}

const sharedAdapters = new Map<string, Promise<SQLiteStorageAdapter>>();
let sharedDir: string | undefined;
// After every test's own hooks, which close the adapters on these places.
after(async () => {
  for (const adapter of sharedAdapters.values()) await (await adapter).close();
  if (sharedDir) rmSync(sharedDir, { recursive: true, force: true });
  for (const { url, schema } of schemas) await dropSchema(url, schema);
});

/** Where a backend's shared adapter lives: a place that outlasts any one test. */
async function sharedPlace(backend: Backend): Promise<string> {
  if (backend.name === 'postgres') return postgresPlace();
  if (backend.name === ':memory:') return 'file::memory:?cache=shared';
  sharedDir ??= mkdtempSync(join(tmpdir(), 'flowstore-aaow-'));
  return `file:${join(sharedDir, 'shared.db')}`;
}

/** The backend's shared adapter and a fresh id namespace. */
export async function shared(_t: TestContext, backend: Backend): Promise<{ adapter: SQLiteStorageAdapter; u: Ids }> {
  let adapter = sharedAdapters.get(backend.name);
  if (!adapter) {
    adapter = sharedPlace(backend).then(async (url) => {
      const created = new SQLiteStorageAdapter({ filename: url, ...SMALL });
      await created.initialize();
      return created;
    });
    sharedAdapters.set(backend.name, adapter);
  }
  return { adapter: await adapter, u: ids() };
}

/** An adapter of its own, for cases that list every record. */
export async function fresh(t: TestContext, backend: Backend): Promise<{ adapter: SQLiteStorageAdapter; u: Ids }> {
  return { adapter: await tempAdapter(t, await backend.url(t)), u: ids() };
}

export const mockWorkflow: Workflow = {
  root: {
    type: 'group', label: 'root', nodes: {}, edges: [], entryPoint: 'in', exitPoint: 'out',
    inputType: { type: 'string' }, outputType: { type: 'string' },
  },
  typedefs: {},
};

export function workflow(id: string, extra: Record<string, unknown> = {}) {
  return { id, name: 'Test', version: '1.0.0', definition: mockWorkflow, createdAt: new Date(), updatedAt: new Date(), ...extra };
}

/** A running session; its workflow is `wf-1` in the same id namespace as `id`. */
export function session(id: string, extra: Record<string, unknown> = {}) {
  const prefix = id.slice(0, id.indexOf(':') + 1);
  return {
    id, workflowId: `${prefix}wf-1`, workflowSnapshot: mockWorkflow, status: 'running' as const,
    createdAt: new Date(), updatedAt: new Date(), ...extra,
  };
}

/** A workflow `wf-1` and its session `session-1`, which most cases start from. */
export async function withSession(adapter: SQLiteStorageAdapter, u: Ids): Promise<void> {
  await adapter.saveWorkflow(workflow(u('wf-1')));
  await adapter.createSession(session(u('session-1')));
}
