import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/index.ts';
import { cleanup, tempDir } from './helpers.ts';

const DEMO = fileURLToPath(new URL('../demo/run.ts', import.meta.url));

test('npm start: the demo runs small, stores in every domain, and prints its summary', async (t) => {
  const db = join(tempDir(t), 'demo.db');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO], { env: { ...process.env, FLOWSTORE_DB: db, DEMO_RUNS: '12', DEMO_CONCURRENCY: '4' } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /\d+ store operations in [\d.]+ s = \d+ ops\/s/);
  assert.match(stdout, /== runs: 12 \(completed 11, failed 1\)/);
  assert.match(stderr, /runs: 100% \(12\/12 runs\)/);
  const store = await openStore({ path: db, readers: 1 });
  cleanup(t, () => store.close());
  const tables = Object.fromEntries((await store.tableStats()).tables.map((x) => [x.name, x.rows]));
  for (const name of ['workflow_state', 'artifacts', 'snapshots', 'execution_trees', 'agent_states', 'events', 'aaow_sessions', 'approval_requests', 'workflow_phases']) {
    assert.ok(tables[name]! > 0, `${name} holds rows`);
  }
});
