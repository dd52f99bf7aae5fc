/**
 * `npm start`: a workflow runner simulation on ./flowstore.db (or FLOWSTORE_DB).
 * Definitions come from demo/workflows/*.toml; each run walks its phases as a DAG,
 * keeping node outputs in store.dag, run state in store.runs, the worker agent and its
 * events in store.agents, and its session, approvals, LLM executions (tokens and cost) and
 * budget pools through the aaow adapter; `flowstore ui ./flowstore.db` shows all of it.
 * DEMO_RUNS sets how many runs (200 by default), DEMO_CONCURRENCY how many at once.
 */
import { fileURLToPath } from 'node:url';
import { SQLiteStorageAdapter } from '../src/aaow/index.ts';
import type { Workflow } from '../src/domains/aaow/workflow.ts';
import { formatInspect, inspectStore } from '../src/cli/commands/inspect.ts';
import { bytes } from '../src/cli/format.ts';
import { progress } from '../src/cli/progress.ts';
import { openStore, type Phase, type Store } from '../src/index.ts';

const DB = process.env.FLOWSTORE_DB || './flowstore.db';
const RUNS = Number(process.env.DEMO_RUNS ?? 200);
const CONCURRENCY = Number(process.env.DEMO_CONCURRENCY ?? 16);
const WORKFLOWS = fileURLToPath(new URL('./workflows/', import.meta.url));

if (!Number.isInteger(RUNS) || RUNS < 1 || !Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) {
  console.error('DEMO_RUNS and DEMO_CONCURRENCY must be positive integers');
  process.exit(2);
}

const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };

/** The aaow session's snapshot of a workflow file: one group node per phase. */
function snapshotOf(phases: Phase[]): Workflow {
  const nodes = Object.fromEntries(phases.map((p) => [p.task, { type: 'llm' as const, maxRetries: p.retry, inputType: { type: 'string' as const }, outputType: { type: 'string' as const } }]));
  const edges = phases.filter((p) => p.dependsOn !== '' && nodes[p.dependsOn]).map((p) => ({ from: p.dependsOn, to: p.task }));
  return {
    root: { type: 'group', label: 'root', nodes, edges: edges as never, entryPoint: phases[0]!.task, exitPoint: phases.at(-1)!.task, inputType: { type: 'string' }, outputType: { type: 'string' } },
  };
}

let operations = 0;
const count = <T>(p: Promise<T>): Promise<T> => p.then((v) => { operations++; return v; });

async function runOne(store: Store, adapter: SQLiteStorageAdapter, runId: string, file: string, phases: Phase[], index: number): Promise<'completed' | 'failed'> {
  const { agents } = store;
  const agentId = `worker-${index % 8}`;
  const started = Date.now();
  const base = { pipelineId: file.replace(/\.toml$/, ''), pipelineName: file, pipelineVersion: '1', totalSteps: phases.length, lastStepOutput: null };
  const budget = 0.006 * phases.length;   // dollars
  await Promise.all([
    count(store.runs.saveState(runId, { ...base, status: 'running', pipelineContext: { file, startedBy: agentId } })),
    count(agents.saveSession({ id: runId, agentId, metadata: { file } })),
    count(agents.saveTask({ id: `${runId}:task`, title: `run ${file}`, description: `phases ${phases.map((p) => p.task).join(', ')}`, status: 'in_progress', assignedTo: agentId })),
    count(adapter.createSession({ id: runId, workflowId: base.pipelineId, workflowSnapshot: snapshotOf(phases), status: 'running', createdAt: new Date(), updatedAt: new Date() })),
    count(agents.saveAgentState({ agentId, name: `Worker ${index % 8}`, status: 'busy', stateData: JSON.stringify({ run: runId }) })),
  ]);
  // Each run spends from its workflow's pool (made in main), through a pool of its own.
  await count(adapter.createBudgetPool({ id: `${runId}:budget`, parentPoolId: `pool:${base.pipelineId}`, totalBudget: budget, usedBudget: 0, remainingBudget: budget, status: 'active', createdAt: new Date() }));
  let spent = 0;
  // One run in ten fails at a random phase, as real ones do.
  const failAt = index % 10 === 7 ? index % phases.length : -1;
  let output: unknown = { rows: 1000 + index };
  for (let step = 0; step < phases.length; step++) {
    const phase = phases[step]!;
    if (phase.task === 'review') {
      const approvalId = `${runId}:${phase.task}`;
      await count(adapter.createApprovalRequest({ id: approvalId, sessionId: runId, nodeId: phase.task, type: 'human_review', status: 'pending', context: { description: `review ${runId}` }, createdAt: new Date() }));
      // Most reviews are approved at once; one in five waits for a human and stays pending.
      if (index % 5 !== 0) await count(adapter.approveRequest(approvalId, 'demo-reviewer', 'looks fine'));
    }
    // Every phase asks a model once; the tokens and what they cost go with the execution.
    const promptTokens = 200 + ((index * 37 + step * 11) % 400);
    const completionTokens = 50 + ((index * 13 + step * 7) % 150);
    const cost = Math.round(promptTokens * 3 + completionTokens * 15) / 1e6;   // dollars, at $3 and $15 per million tokens
    spent += cost;
    await count(adapter.saveLLMExecution(runId, phase.task, {
      id: `${runId}:${phase.task}:llm`, timestamp: new Date(), success: step !== failAt, text: `${phase.task} plan for ${runId}`,
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens }, metadata: { model: 'demo-model', cost },
      ...(step === failAt ? { error: 'simulated failure' } : {}),
    }));
    if (step === failAt) {
      await Promise.all([
        count(store.runs.saveState(runId, { ...base, status: 'failed', currentStepIndex: step, pipelineContext: { file }, lastStepOutput: output, errorMessage: `${phase.task}: simulated failure`, executionTimeMs: Date.now() - started })),
        count(adapter.updateSession(runId, { status: 'failed' })),
        count(adapter.updateBudgetPool(`${runId}:budget`, { usedBudget: spent, remainingBudget: budget - spent })),
        count(agents.endSession(runId, { status: 'failed' })),
        count(agents.saveTask({ id: `${runId}:task`, title: `run ${file}`, status: 'failed', assignedTo: agentId })),
        count(agents.saveEvent({ eventType: 'phase_failed', sessionId: runId, actorType: 'agent', actorId: agentId, content: `${phase.task} failed in ${runId}` })),
      ]);
      return 'failed';
    }
    output = { task: phase.task, rows: 1000 + index + step, checksum: (index * 31 + step) % 9973, at: new Date() };
    await Promise.all([
      count(store.dag.saveCacheDelta(runId, { [phase.task]: { output, attempt: 1 } })),
      count(store.runs.saveState(runId, { ...base, status: 'running', currentStepIndex: step + 1, pipelineContext: { file }, lastStepOutput: output })),
      count(agents.saveEvent({ eventType: 'phase_completed', sessionId: runId, actorType: 'agent', actorId: agentId, content: `${phase.task} completed in ${runId}` })),
    ]);
  }
  await Promise.all([
    // The tree names its edges (each phase after the one it depends on), so it can be drawn as a graph.
    count(store.dag.saveExecutionTree(runId, { phases: phases.map((p) => p.task), edges: phases.filter((p) => p.dependsOn !== '' && phases.some((q) => q.task === p.dependsOn)).map((p) => [p.dependsOn, p.task]), finishedAt: new Date() })),
    count(adapter.updateBudgetPool(`${runId}:budget`, { usedBudget: spent, remainingBudget: budget - spent })),
    count(agents.endSession(runId, { status: 'completed' })),
    count(agents.saveTask({ id: `${runId}:task`, title: `run ${file}`, status: 'completed', assignedTo: agentId })),
    count(store.dag.saveSnapshot(runId, new TextEncoder().encode(JSON.stringify(output)))),
    count(store.runs.saveState(runId, { ...base, status: 'completed', currentStepIndex: phases.length, pipelineContext: { file }, lastStepOutput: output, executionTimeMs: Date.now() - started })),
    count(adapter.updateSession(runId, { status: 'completed' })),
    count(agents.recordStateTransition(agentId, 'busy', 'idle', `finished ${runId}`)),
    count(agents.updateAgentStatus(agentId, 'idle')),
  ]);
  return 'completed';
}

async function main(): Promise<void> {
  const store = await openStore({ path: DB, workflowPath: WORKFLOWS });
  const adapter = new SQLiteStorageAdapter({ filename: DB });
  try {
    await adapter.initialize();
    await store.definitions.refresh();
    const files = (await store.definitions.listFiles()).map((f) => f.path).sort();
    const phasesByFile = new Map<string, Phase[]>();
    for (const file of files) {
      const phases = await store.definitions.listPhases({ path: file });
      phasesByFile.set(file, phases);
      // Sessions point at their workflow: register each definition once (a re-run finds it there).
      const id = file.replace(/\.toml$/, '');
      if (!(await adapter.getWorkflow(id))) await adapter.saveWorkflow({ id, name: file, version: '1', definition: snapshotOf(phases), createdAt: new Date(), updatedAt: new Date() });
      if (!(await adapter.getBudgetPool(`pool:${id}`))) await adapter.createBudgetPool({ id: `pool:${id}`, totalBudget: 2, usedBudget: 0, remainingBudget: 2, status: 'active', createdAt: new Date(), metadata: { workflow: id } });
    }
    console.log(`flowstore demo: ${RUNS} runs, ${CONCURRENCY} at a time, on ${DB}; workflows ${files.join(', ')}`);

    const bar = progress(io, 'runs', 'runs');
    const prefix = `demo-${Date.now().toString(36)}`;
    const outcomes = { completed: 0, failed: 0 };
    let next = 0;
    const began = performance.now();
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, RUNS) }, async () => {
      while (next < RUNS) {
        const index = next++;
        const file = files[index % files.length]!;
        outcomes[await runOne(store, adapter, `${prefix}-${index}`, file, phasesByFile.get(file)!, index)]++;
        bar.update(outcomes.completed + outcomes.failed, RUNS);
      }
    }));
    const seconds = (performance.now() - began) / 1000;
    bar.finish(`${RUNS} runs in ${seconds.toFixed(2)} s`);
    // Each workflow's pool has spent what its runs' pools spent (they run concurrently, so it is summed here, once).
    for (const file of files) {
      const id = `pool:${file.replace(/\.toml$/, '')}`;
      const [root, runs] = await Promise.all([adapter.getBudgetPool(id), adapter.getChildBudgetPools(id)]);
      const used = runs.reduce((sum, pool) => sum + pool.usedBudget, 0);
      if (root) await adapter.updateBudgetPool(id, { usedBudget: used, remainingBudget: root.totalBudget - used });
    }

    const metrics = await store.metrics();
    console.log(`\n${outcomes.completed} completed, ${outcomes.failed} failed; ${operations} store operations in ${seconds.toFixed(2)} s = ${Math.round(operations / seconds)} ops/s`);
    console.log(`writes ${metrics.writes} in ${metrics.writeBatches} commits (average batch ${metrics.averageWriteBatch.toFixed(1)}), commit p50 ${metrics.commitMs.p50.toFixed(2)} ms, p99 ${metrics.commitMs.p99.toFixed(2)} ms; WAL ${bytes(metrics.walBytes)}`);
    const found = await store.agents.searchEvents('transform completed', { limit: 3 });
    console.log(`full-text search "transform completed": ${found.length} hits, e.g. ${found[0]?.content ?? '(none)'}\n`);
    process.stdout.write(formatInspect(await inspectStore(store), { dagLines: 16 }));
  } finally {
    await adapter.close();
    await store.close();
  }
}

await main();
