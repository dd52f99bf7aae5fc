/**
 * Stores and servers for the dashboard's tests: the demo's store built in a temporary
 * folder (demo/run.ts, as `npm start` writes it) plus what the demo never writes (hostile
 * strings, a second agent view, a phase with a status message, DAG states, LangGraph threads
 * and memories from fixtures/ui-langgraph.ts, queues, jobs and schedules from
 * fixtures/ui-queue.ts, OpenWorkflow runs from fixtures/ui-openworkflow.ts, made by
 * OpenWorkflow's own client and worker), and
 * `flowstore ui` started on it as a real child process.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/index.ts';
import { addLangGraph } from './fixtures/ui-langgraph.ts';
import { addOpenWorkflow } from './fixtures/ui-openworkflow.ts';
import { addQueue } from './fixtures/ui-queue.ts';
import { newLocation, POSTGRES } from './helpers.ts';

const DEMO = fileURLToPath(new URL('../demo/run.ts', import.meta.url));
const WORKFLOWS = fileURLToPath(new URL('../demo/workflows/', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/flowstore.js', import.meta.url));
const QUEUE_WRITER = fileURLToPath(new URL('./fixtures/ui-queue-writer.ts', import.meta.url));

/** A run id, an error and an event that would run script if they ever became markup. */
export const XSS_RUN = '<img src=x onerror=alert(1)>';
export const XSS_ERROR = '<b>boom</b><script>alert(2)</script>';
export const XSS_EVENT = '<img src=x onerror=alert(3)> deployed the blue build';

function exec(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

/** Builds the demo's store in `dir` and adds the cases the demo does not make; returns its path. */
export async function buildDemoStore(dir: string, runs = 48): Promise<string> {
  const db = join(dir, 'flowstore.db');
  await exec([DEMO], { FLOWSTORE_DB: db, DEMO_RUNS: String(runs), DEMO_CONCURRENCY: '6' });
  const workflows = join(dir, 'workflows');
  cpSync(WORKFLOWS, workflows, { recursive: true });
  writeFileSync(join(workflows, 'broken.toml'), '# A phase whose parent does not exist.\n[[phase]]\ntask = "publish:weekly"\ndependsOn = "aggregate"\n');
  const store = await openStore({ path: db, readers: 1 });
  try {
    await store.definitions.refresh(workflows);
    await store.runs.saveState(XSS_RUN, { pipelineId: 'etl', pipelineName: 'etl.toml', pipelineVersion: '1', pipelineContext: { note: XSS_EVENT }, lastStepOutput: { html: XSS_ERROR }, status: 'failed', errorMessage: XSS_ERROR, totalSteps: 4 });
    await store.agents.saveEvent({ sessionId: XSS_RUN, eventType: 'deploy', actorType: 'user', actorId: 'ops-1', content: XSS_EVENT });
    const ops = store.agents.withPrefix('ops');
    await ops.saveAgentState({ agentId: 'deployer', name: 'Deployer', status: 'active', metadata: { team: 'platform' }, stateData: JSON.stringify({ queue: ['blue', 'green'], lastDeploy: 'blue' }) });
    await ops.recordStateTransition('deployer', 'idle', 'active', 'deploy requested');
    await ops.createSnapshot('deployer', 'before the blue deploy');
    await store.dag.saveCacheDelta('dag-states', { fetch: { url: 'https://example.test/a', bytes: 1200 }, parse: { rows: 40 } });
    await store.dag.saveExecutionTree('dag-states', { nodes: { fetch: {}, parse: { dependsOn: ['fetch'] }, store: { dependsOn: ['parse'] } } });
    await store.dag.saveExecutionState('dag-states', 'active', new Uint8Array(1500));
    await store.dag.saveExecutionState('dag-states', 'pending', new Uint8Array(300));
    await store.dag.saveSnapshot('dag-states', new Uint8Array([1, 2, 3]));
    await store.dag.saveSnapshot('dag-states', new Uint8Array([4, 5, 6, 7]));
    await addLangGraph(store);
    await addQueue(store);
    await addOpenWorkflow(store);
  } finally {
    await store.close();
  }
  return db;
}

/**
 * A PostgreSQL store holding what the store at `db` holds, moved as a user would (export,
 * then import), in a new schema of the test server (PGlite without FLOWSTORE_TEST_POSTGRES_URL);
 * `args` are what `flowstore ui` needs to open it, `remove` drops the schema. `db` may be
 * undefined for an empty store.
 */
export async function copyToPostgres(db: string | undefined): Promise<{ path: string; args: string[]; remove: () => Promise<void> }> {
  const location = await newLocation(POSTGRES);
  const to = await openStore({ ...location.options, readers: 1 });
  try {
    if (db !== undefined) {
      const from = await openStore({ path: db, readers: 1 });
      const lines: string[] = [];
      try {
        await from.exportJsonl((text) => { lines.push(text); });
      } finally {
        await from.close();
      }
      await to.importJsonl(lines);
    }
  } finally {
    await to.close();
  }
  return { path: location.options.path!, args: ['--schema', location.options.postgres!.schema!], remove: location.remove };
}

export interface UiProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcessWithoutNullStreams;
  /** Ctrl-C: resolves with the exit code once the process has closed the store. */
  stop(): Promise<number | null>;
}

/** Starts `flowstore ui <db> --port 0` and waits for the address it prints. */
export function startUi(db: string, args: string[] = []): Promise<UiProcess> {
  const child = spawn(process.execPath, [BIN, 'ui', db, '--port', '0', ...args], { stdio: 'pipe', env: { ...process.env, FLOWSTORE_DB: '' } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /flowstore ui: (http:\/\/[^ ]+\/) /.exec(out);
      if (match) {
        const url = match[1]!;
        resolve({ url, port: Number(new URL(url).port), child, stop: () => { child.kill('SIGINT'); return exited; } });
      }
    });
    void exited.then((code) => reject(new Error(`flowstore ui exited (${code}) before serving: ${err}`)));
  });
}

/** Another process working a queue (runQueueWriter). */
export interface QueueWriter {
  /** Resolves with the process's exit code. */
  exited: Promise<number | null>;
  /** Lets it enqueue its last job, then finish. */
  finish(): void;
}

/**
 * Runs fixtures/ui-queue-writer.ts, another process that enqueues `count` jobs into `queue`
 * over about `durationMs` and works them, the last one only after finish(). `args` are those
 * startUi took (`--schema <name>` for a PostgreSQL store).
 */
export function runQueueWriter(store: string, args: string[], queue: string, count: number, durationMs: number): QueueWriter {
  const schema = args[args.indexOf('--schema') + 1];
  const child = spawn(process.execPath, [QUEUE_WRITER, store, queue, String(count), String(durationMs), ...(args.includes('--schema') && schema ? [schema] : [])],
    { stdio: ['pipe', 'ignore', 'inherit'] });
  return { exited: new Promise((resolve) => child.once('exit', resolve)), finish: () => child.stdin.end() };
}
