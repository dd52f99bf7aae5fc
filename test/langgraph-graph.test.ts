/**
 * A real LangGraph graph on FlowstoreSaver: a subgraph, interrupt() resumed with
 * Command({ resume }), getStateHistory, an updateState fork from an old checkpoint, 32
 * threads at once, and a new process that resumes a thread where the first one left it.
 * LangGraph's own MemorySaver runs the same thread as the reference.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Command, MemorySaver, type StateSnapshot } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { FlowstoreSaver } from '../src/langgraph/index.ts';
import { buildGraph, threadConfig } from './fixtures/langgraph-graph.ts';
import { collect, run } from './helpers-process.ts';
import { BACKENDS, cleanup, tempLocation } from './helpers.ts';
import type { StoreOptions } from '../src/index.ts';

const THREADS = 32;

async function openSaver(t: TestContext, where: StoreOptions, Saver: typeof FlowstoreSaver = FlowstoreSaver): Promise<FlowstoreSaver> {
  const saver = await Saver.open({ ...where, readers: 2 });
  cleanup(t, () => saver.close());
  return saver;
}

async function history(graph: ReturnType<typeof buildGraph>, thread: string): Promise<StateSnapshot[]> {
  const snapshots: StateSnapshot[] = [];
  for await (const snapshot of graph.getStateHistory(threadConfig(thread))) snapshots.push(snapshot);
  return snapshots;
}

/** A thread's history without what differs between savers (ids, times): next nodes, values, step. */
function shape(snapshots: StateSnapshot[]) {
  return snapshots.map((s) => ({ next: s.next, values: s.values, step: s.metadata?.step, source: s.metadata?.source }));
}

for (const backend of BACKENDS) {
test(`${backend.name}: 32 threads run a graph with a subgraph to its interrupt at once, and resume with Command`, async (t) => {
  const saver = await openSaver(t, await tempLocation(t, backend.path));
  const graph = buildGraph(saver);
  const threads = Array.from({ length: THREADS }, (_, i) => `thread-${i}`);
  const first = await Promise.all(threads.map((thread) => graph.invoke({ topic: thread }, threadConfig(thread))));
  first.forEach((result, i) => {
    assert.deepEqual(result.log, [`plan thread-${i}`]);
    assert.deepEqual((result as { __interrupt__?: { value: unknown }[] }).__interrupt__?.map((x) => x.value), [{ question: `publish thread-${i}?` }]);
  });
  const waiting = await Promise.all(threads.map((thread) => graph.getState(threadConfig(thread))));
  for (const [i, state] of waiting.entries()) {
    assert.deepEqual(state.next, ['sub']);
    assert.deepEqual(state.tasks[0]?.interrupts.map((x) => x.value), [{ question: `publish thread-${i}?` }]);
  }

  const resumed = await Promise.all(threads.map((thread, i) => graph.invoke(new Command({ resume: `yes ${i}` }), threadConfig(thread))));
  resumed.forEach((result, i) => {
    assert.deepEqual(result.notes, [`research thread-${i}`, `approved yes ${i}`]);
    assert.deepEqual(result.log, [`plan thread-${i}`, `finish yes ${i}: research thread-${i}, approved yes ${i}`]);
  });

  // The same thread through LangGraph's MemorySaver: the same history, step for step.
  const reference = buildGraph(new MemorySaver() as BaseCheckpointSaver);
  await reference.invoke({ topic: 'thread-7' }, threadConfig('thread-7'));
  await reference.invoke(new Command({ resume: 'yes 7' }), threadConfig('thread-7'));
  const mine = await history(graph, 'thread-7');
  assert.deepEqual(shape(mine), shape(await history(reference, 'thread-7')));
  assert.deepEqual(mine.map((s) => s.next), [[], ['finish'], ['sub'], ['plan'], ['__start__']]);
  for (const [i, snapshot] of mine.entries()) {
    assert.deepEqual(snapshot.parentConfig?.configurable?.checkpoint_id, mine[i + 1]?.config.configurable?.checkpoint_id);
  }
});

/** Runs a thread to its end, then forks it from the checkpoint before `sub` with new notes and topic. */
async function forkAfterPlan(saver: BaseCheckpointSaver) {
  const graph = buildGraph(saver);
  await graph.invoke({ topic: 'original' }, threadConfig('forked'));
  await graph.invoke(new Command({ resume: 'first' }), threadConfig('forked'));
  const snapshots = await history(graph, 'forked');
  const finished = snapshots[0]!;
  const beforeSub = snapshots.find((s) => s.next[0] === 'sub')!;
  const fork = await graph.updateState(beforeSub.config, { notes: ['from the fork'], topic: 'fork' });
  return { graph, finished, fork };
}

test(`${backend.name}: a fork from an old checkpoint never reads the other branch, and both branches read back whole`, async (t) => {
  const saver = await openSaver(t, await tempLocation(t, backend.path));
  const { graph, finished, fork } = await forkAfterPlan(saver);
  assert.deepEqual((await graph.getState(fork)).values, { topic: 'fork', log: ['plan original'], notes: ['from the fork'] });
  await graph.invoke(null, fork);
  const done = await graph.invoke(new Command({ resume: 'second' }), threadConfig('forked'));
  // The subgraph starts from the fork's notes, as it does on LangGraph's MemorySaver.
  assert.deepEqual(done, {
    topic: 'fork', decision: 'second',
    notes: ['from the fork', 'research fork', 'approved second'],
    log: ['plan original', 'finish second: from the fork, research fork, approved second'],
  });
  const reference = await forkAfterPlan(new MemorySaver() as BaseCheckpointSaver);
  await reference.graph.invoke(null, reference.fork);
  assert.deepEqual(await reference.graph.invoke(new Command({ resume: 'second' }), threadConfig('forked')), done);
  // The first branch, read again after the fork wrote its own values at the same step.
  assert.deepEqual((await graph.getState(finished.config)).values, {
    topic: 'original', decision: 'first',
    notes: ['research original', 'approved first'],
    log: ['plan original', 'finish first: research original, approved first'],
  });
});

test(`${backend.name}: with LangGraph's default integer versions the same fork reads the first branch's values (langgraphjs #1812)`, async (t) => {
  // Why FlowstoreSaver overrides getNextVersion: both branches would give `topic` and `notes`
  // the same next version, and one blob per version would serve the first branch's to the fork.
  class IntegerVersions extends FlowstoreSaver {
    override getNextVersion(current: number | undefined): number {
      return current === undefined ? 1 : current + 1;
    }
  }
  const saver = await openSaver(t, await tempLocation(t, backend.path), IntegerVersions);
  const { graph, fork } = await forkAfterPlan(saver);
  const values = (await graph.getState(fork)).values;
  assert.equal(values.topic, 'original');
  assert.deepEqual(values.notes, ['research original', 'approved first']);
});

if (backend.path === ':memory:') continue;
test(`${backend.name}: a new process opens the store and resumes an interrupted thread where it stopped`, async (t) => {
  const where = await tempLocation(t, backend.path);
  const saver = await FlowstoreSaver.open({ ...where, readers: 2 });
  const graph = buildGraph(saver);
  await Promise.all(['a', 'b', 'c'].map((thread) => graph.invoke({ topic: thread }, threadConfig(thread))));
  await graph.invoke(new Command({ resume: 'here' }), threadConfig('a'));
  await saver.close();

  const child = await collect(run('langgraph-resume.ts', [JSON.stringify(where), 'b', 'there']));
  assert.equal(child.code, 0, child.stderr);
  const result = JSON.parse(child.lines.at(-1)!) as { next: string[]; log: string[]; notes: string[]; decision: string };
  // plan and research ran once, in this process: the child went on from the interrupt.
  assert.deepEqual(result, { next: ['sub'], log: ['plan b', 'finish there: research b, approved there'], decision: 'there' });

  const reopened = await openSaver(t, where);
  const again = buildGraph(reopened);
  assert.deepEqual((await again.getState(threadConfig('b'))).next, []);
  assert.deepEqual((await again.getState(threadConfig('c'))).next, ['sub']);
  assert.equal((await again.getState(threadConfig('a'))).values.decision, 'here');
});
}
