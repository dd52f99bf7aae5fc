/**
 * The LangGraph pages' server side: values read as data without the serde, and, on every
 * backend, threads, a history with its fork and interrupt, a checkpoint's values and the
 * memory store as the API answers them, from real graphs on FlowstoreSaver and FlowstoreStore.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command, type StateSnapshot } from '@langchain/langgraph';
import { FlowstoreSaver, FlowstoreStore } from '../src/langgraph/index.ts';
import type { Store } from '../src/index.ts';
import { checkpoint, items, namespaces, thread, threads, value, INLINE_VALUE_BYTES } from '../src/ui/api/langgraph.ts';
import type { Handler } from '../src/ui/api/context.ts';
import { Named, toDisplay } from '../src/ui/display.ts';
import { changedChannels, historyPage, nodeOfPath } from '../src/ui/langgraph-history.ts';
import { decodeValue } from '../src/ui/langgraph-values.ts';
import { queryOf } from '../src/ui/queries.ts';
import { buildGraph, threadConfig } from './fixtures/langgraph-graph.ts';
import { BACKENDS, tempStore } from './helpers.ts';

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const call = (handler: Handler, store: Store, params: Record<string, string>) =>
  handler({ store, sampler: undefined as never, params: new URLSearchParams(params) }) as Promise<Record<string, any>>;

describe('LangGraph values as the page shows them', () => {
  test("JsonPlusSerializer's records become what they stand for; LangChain objects their class and fields", () => {
    const stored = {
      gone: { lc: 2, type: 'undefined' },
      tags: { lc: 2, type: 'constructor', id: ['Set'], method: null, args: [['a', 'b']] },
      seen: { lc: 2, type: 'constructor', id: ['Map'], method: null, args: [[['k', 1]]] },
      raw: { lc: 2, type: 'constructor', id: ['Uint8Array'], method: 'from', args: [[1, 2]] },
      oops: { lc: 2, type: 'constructor', id: ['Error'], method: null, args: ['boom'] },
      said: { lc: 1, type: 'constructor', id: ['langchain_core', 'messages', 'HumanMessage'], kwargs: { content: 'hi' } },
    };
    assert.deepEqual(toDisplay(decodeValue('json', json(stored))), {
      gone: { $t: 'undefined' },
      tags: { $t: 'set', v: ['a', 'b'] },
      seen: { $t: 'map', v: [['k', 1]] },
      raw: { $t: 'bytes', n: 2, v: '01 02' },
      oops: { $t: 'object', kind: 'Error', v: { message: 'boom' } },
      said: { $t: 'object', kind: 'HumanMessage', v: { content: 'hi' } },
    });
  });

  test('nothing stored is revived into a class: a constructor record it does not know stays data', () => {
    const record = { lc: 2, type: 'constructor', id: ['Function'], method: null, args: ['return 1'] };
    assert.deepEqual(decodeValue('json', json(record)), record);
    assert.ok(decodeValue('json', json({ lc: 1, type: 'constructor', id: ['x', 'Evil'], kwargs: {} })) instanceof Named);
  });

  test("bytes, another serde's type and unreadable JSON each read as what they are", () => {
    assert.deepEqual(decodeValue('bytes', new Uint8Array([7])), new Uint8Array([7]));
    assert.deepEqual(toDisplay(decodeValue('msgpack', new Uint8Array(3))), { $t: 'object', kind: 'msgpack (a serde this page does not read)', v: { bytes: 3 } });
    assert.deepEqual(toDisplay(decodeValue('json', new TextEncoder().encode('{nope'))), { $t: 'object', kind: 'unreadable JSON', v: { text: '{nope' } });
    assert.equal(decodeValue('json', null), undefined);
  });

  test('a task path names its node; changed channels are those whose version moved', () => {
    assert.equal(nodeOfPath('~__pregel_pull, approve'), 'approve');
    assert.equal(nodeOfPath('__pregel_push, 0'), '0');
    assert.equal(nodeOfPath('custom'), 'custom');
    assert.deepEqual(changedChannels({ a: '2', b: '1', c: '1' }, { a: '1', b: '1' }), ['a', 'c']);
    assert.deepEqual(changedChannels({ a: '1' }, undefined), ['a']);
  });
});

async function history(graph: ReturnType<typeof buildGraph>, id: string): Promise<StateSnapshot[]> {
  const out: StateSnapshot[] = [];
  for await (const s of graph.getStateHistory(threadConfig(id))) out.push(s);
  return out;
}

for (const backend of BACKENDS) {
  test(`${backend.name}: threads, a forked history, a checkpoint's values and interrupts, memory items`, async (t) => {
    const store = await tempStore(t, { path: backend.path });
    const graph = buildGraph(new FlowstoreSaver(store));
    await graph.invoke({ topic: 'refund' }, threadConfig('forked'));
    await graph.invoke(new Command({ resume: 'approved' }), threadConfig('forked'));
    const beforeSub = (await history(graph, 'forked')).find((s) => s.next[0] === 'sub')!;
    await graph.invoke(null, await graph.updateState(beforeSub.config, { topic: 'x'.repeat(INLINE_VALUE_BYTES) }));
    await graph.invoke({ topic: 'later' }, threadConfig('waiting'));

    const list = await call(threads, store, {});
    assert.deepEqual(list.items.map((r: { threadId: string }) => r.threadId), ['waiting', 'forked']);
    assert.deepEqual({ ...list.items[0], bytes: undefined, updatedAt: undefined }, { threadId: 'waiting', checkpoints: 6, step: 1, source: 'loop', status: 'interrupted', bytes: undefined, updatedAt: undefined });
    assert.ok(list.items[1].bytes > list.items[0].bytes, `stored sizes ${list.items[1].bytes} and ${list.items[0].bytes}`);
    assert.match(list.items[1].updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const page = await call(thread, store, { id: 'forked' });
    assert.equal(page.namespaces.length, 3);
    assert.deepEqual(page.items.map((c: { step: number; source: string }) => `${c.step} ${c.source}`), ['2 update', '3 loop', '2 loop', '1 loop', '0 loop', '-1 input']);
    const [update, , , fork] = page.items;
    assert.equal(fork.children, 2);
    assert.equal(update.parentId, fork.checkpointId);
    assert.deepEqual(update.changed.filter((c: string) => !c.startsWith('branch:')), ['topic']);
    // The update was made by updateState, not by the tasks that ran from the fork on the other branch.
    assert.deepEqual([update.madeBy, page.items[2].madeBy], [[], ['sub']]);
    assert.deepEqual([update.interrupts, update.resumed, fork.interrupts, fork.resumed], [1, false, 1, true]);

    // Paged two at a time, the same rows come, and a parent off the page still says what changed.
    const pages = [await historyPage(queryOf(store), { threadId: 'forked', ns: '', limit: 2 })];
    while (pages.at(-1)!.next) pages.push(await historyPage(queryOf(store), { threadId: 'forked', ns: '', limit: 2, before: pages.at(-1)!.next! }));
    assert.deepEqual(pages.flatMap((p) => p.items).map((c) => [c.checkpointId, c.changed, c.children]), page.items.map((c: { checkpointId: string; changed: string[]; children: number }) => [c.checkpointId, c.changed, c.children]));

    const newest = await call(checkpoint, store, { thread: 'forked' });
    assert.equal(newest.checkpointId, update.checkpointId);
    assert.deepEqual(newest.interrupts.map((i: { node: string; value: unknown; deferred?: boolean }) => [i.node, i.deferred ?? false]), [['sub', true]]);
    const topic = newest.values.find((v: { channel: string }) => v.channel === 'topic');
    assert.deepEqual([topic.deferred, topic.value], [true, undefined]);
    const log = newest.values.find((v: { channel: string }) => v.channel === 'log');
    assert.deepEqual(log.value, ['plan refund']);
    assert.deepEqual((await call(value, store, { thread: 'forked', channel: 'topic' })).value, 'x'.repeat(INLINE_VALUE_BYTES));
    const forked = await call(checkpoint, store, { thread: 'forked', id: fork.checkpointId });
    assert.deepEqual(forked.interrupts.map((i: { value: unknown }) => i.value), [{ question: 'publish refund?' }]);
    assert.deepEqual(forked.resumedWith.value, 'approved');
    assert.equal(forked.children.length, 2);
    await assert.rejects(call(checkpoint, store, { thread: 'forked', id: 'none' }), { code: 'FLOWSTORE_NOT_FOUND' });
    await assert.rejects(call(value, store, { thread: 'forked', channel: 'nothing' }), { code: 'FLOWSTORE_NOT_FOUND' });
    await assert.rejects(call(thread, store, { id: 'no-such-thread' }), { code: 'FLOWSTORE_NOT_FOUND' });

    const memories = new FlowstoreStore(store);
    await memories.put(['users', 'ada'], 'city', { text: 'lives in Lisbon' });
    await memories.put(['users', 'grace'], 'city', { text: 'lives in Arlington' }, undefined, { ttl: 60 });
    assert.deepEqual((await call(namespaces, store, {})).items, ['users.ada', 'users.grace']);
    assert.deepEqual((await call(items, store, { ns: 'users.ada' })).items.map((i: { key: string; namespace: string }) => `${i.namespace}/${i.key}`), ['users.ada/city']);
    const found = await call(items, store, { q: 'Arlington' });
    assert.deepEqual(found.items.map((i: { namespace: string }) => i.namespace), ['users.grace']);
    assert.equal(typeof found.items[0].score, 'number');
  });
}
