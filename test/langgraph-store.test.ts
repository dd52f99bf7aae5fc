/**
 * FlowstoreStore's contract, on every backend: LangGraph has no official suite for
 * stores, so this one covers put/get/delete, search (prefix, filter, query, paging),
 * ttl (expiry, refresh on read), namespaces, bad input, and a graph writing memories.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { Annotation, END, START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { FlowstoreSaver, FlowstoreStore } from '../src/langgraph/index.ts';
import { BACKENDS, tempStore } from './helpers.ts';

/** A ttl of this many minutes is 600 ms (a reader thread takes about 300 ms to start: the tests start theirs first). */
const TTL = 0.01;
const MS = 600;

for (const backend of BACKENDS) {
  const open = async (t: Parameters<typeof tempStore>[0], options?: ConstructorParameters<typeof FlowstoreStore>[1]) =>
    new FlowstoreStore(await tempStore(t, { path: backend.path }), options);

  test(`${backend.name}: put, get, update and delete an item`, async (t) => {
    const memories = await open(t);
    assert.equal(await memories.get(['users', 'u1'], 'tz'), null);
    await memories.put(['users', 'u1'], 'tz', { text: 'lives in Lisbon', when: new Date('2024-01-02T03:04:05Z'), n: 1n });
    const item = await memories.get(['users', 'u1'], 'tz');
    assert.deepEqual(item?.value, { text: 'lives in Lisbon', when: new Date('2024-01-02T03:04:05Z'), n: 1n });
    assert.deepEqual([item?.namespace, item?.key], [['users', 'u1'], 'tz']);
    await sleep(5);
    await memories.put(['users', 'u1'], 'tz', { text: 'lives in Porto' });
    const updated = await memories.get(['users', 'u1'], 'tz');
    assert.equal(updated?.value.text, 'lives in Porto');
    assert.deepEqual(updated?.createdAt, item?.createdAt);
    assert.ok(updated!.updatedAt > item!.updatedAt);
    await memories.delete(['users', 'u1'], 'tz');
    assert.equal(await memories.get(['users', 'u1'], 'tz'), null);
  });

  test(`${backend.name}: search by prefix, filter, query, limit and offset`, async (t) => {
    const memories = await open(t);
    await memories.batch([
      { namespace: ['users', 'u1', 'facts'], key: 'a', value: { text: 'likes green tea', kind: 'food', score: 3 } },
      { namespace: ['users', 'u1', 'facts'], key: 'b', value: { text: 'lives in Lisbon', kind: 'place', score: 5 } },
      { namespace: ['users', 'u1', 'prefs'], key: 'c', value: { text: 'tea after lunch', kind: 'food', score: 4 } },
      { namespace: ['users', 'u2'], key: 'd', value: { text: 'tea and coffee', kind: 'food', score: 1 } },
      { namespace: ['users', 'u10'], key: 'e', value: { text: 'hidden tea', kind: 'food' } , index: false },
    ]);
    const keys = (items: { key: string }[]) => items.map((i) => i.key).sort();
    assert.deepEqual(keys(await memories.search(['users', 'u1'])), ['a', 'b', 'c']);
    assert.deepEqual(keys(await memories.search([])), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(keys(await memories.search(['users', 'u1'], { filter: { kind: 'food' } })), ['a', 'c']);
    assert.deepEqual(keys(await memories.search(['users'], { filter: { score: { $gte: 3 }, kind: { $ne: 'place' } } })), ['a', 'c']);
    assert.deepEqual(keys(await memories.search(['users'], { filter: { kind: { $in: ['place'] } } })), ['b']);
    assert.deepEqual(keys(await memories.search(['users'], { filter: { score: { $exists: false } } })), ['e']);
    // Words, not FTS syntax; an item put with index: false is never found by query.
    assert.deepEqual(keys(await memories.search(['users'], { query: 'TEA' })), ['a', 'c', 'd']);
    assert.deepEqual(keys(await memories.search(['users'], { query: 'tea (lunch' })), ['c']);
    const scored = await memories.search(['users', 'u1'], { query: 'lisbon' });
    assert.deepEqual(scored.map((i) => i.key), ['b']);
    assert.equal(typeof scored[0]!.score, 'number');
    // Newest first (one batch is one time: then by namespace and key), paged.
    assert.deepEqual((await memories.search(['users'], { limit: 10 })).map((i) => i.key), ['a', 'b', 'c', 'e', 'd']);
    assert.deepEqual((await memories.search(['users'], { limit: 2, offset: 1 })).map((i) => i.key), ['b', 'c']);
    assert.deepEqual((await memories.search(['users'], { filter: { kind: 'food' }, limit: 2, offset: 1 })).map((i) => i.key), ['c', 'e']);
    await sleep(5);
    await memories.put(['users', 'u3'], 'f', { text: 'latest' });
    assert.deepEqual((await memories.search(['users'], { limit: 1 })).map((i) => i.key), ['f']);
  });

  test(`${backend.name}: an item with a ttl expires and never comes back; a read refreshes it`, async (t) => {
    const memories = await open(t);
    await memories.search([]);
    await memories.put(['s'], 'short', { v: 1 }, undefined, { ttl: TTL });
    await memories.put(['s'], 'kept', { v: 2 });
    assert.equal((await memories.get(['s'], 'short'))?.value.v, 1);
    await sleep(MS * 1.5);
    assert.equal(await memories.get(['s'], 'short'), null);
    assert.deepEqual((await memories.search(['s'])).map((i) => i.key), ['kept']);
    assert.deepEqual(await memories.listNamespaces(), [['s']]);
    assert.equal(await memories.sweep(), 1);
    // Refreshed by each read: alive after three waits of half its ttl, gone after one and a half ttl without a refreshing read.
    await memories.put(['s'], 'fresh', { v: 3 }, undefined, { ttl: TTL });
    for (let i = 0; i < 3; i++) {
      await sleep(MS / 2);
      assert.equal((await memories.get(['s'], 'fresh'))?.value.v, 3);
    }
    await sleep(MS / 4);
    assert.equal((await memories.get(['s'], 'fresh', { refreshTtl: false }))?.value.v, 3);
    await sleep(MS * 1.5);
    assert.equal(await memories.get(['s'], 'fresh'), null);
  });

  test(`${backend.name}: the store's default ttl, and refreshOnRead off`, async (t) => {
    const memories = await open(t, { ttl: { defaultTtl: TTL, refreshOnRead: false } });
    await memories.search([]);
    await memories.put(['d'], 'k', { v: 1 });
    await memories.put(['d'], 'forever', { v: 2 }, undefined, { ttl: null });
    await sleep(MS / 2);
    assert.ok(await memories.get(['d'], 'k'));
    await sleep(MS);
    assert.equal(await memories.get(['d'], 'k'), null);
    assert.ok(await memories.get(['d'], 'forever'));
  });

  test(`${backend.name}: listNamespaces with prefix, suffix, wildcards, maxDepth and paging`, async (t) => {
    const memories = await open(t);
    for (const ns of [['a', 'b', 'c'], ['a', 'b', 'd'], ['a', 'x'], ['b', 'c'], ['z']]) await memories.put(ns, 'k', { v: 1 });
    assert.deepEqual(await memories.listNamespaces(), [['a', 'b', 'c'], ['a', 'b', 'd'], ['a', 'x'], ['b', 'c'], ['z']]);
    assert.deepEqual(await memories.listNamespaces({ prefix: ['a', 'b'] }), [['a', 'b', 'c'], ['a', 'b', 'd']]);
    assert.deepEqual(await memories.listNamespaces({ prefix: ['*', 'b'] }), [['a', 'b', 'c'], ['a', 'b', 'd']]);
    assert.deepEqual(await memories.listNamespaces({ suffix: ['c'] }), [['a', 'b', 'c'], ['b', 'c']]);
    assert.deepEqual(await memories.listNamespaces({ prefix: ['a'], maxDepth: 2 }), [['a', 'b'], ['a', 'x']]);
    assert.deepEqual(await memories.listNamespaces({ limit: 2, offset: 1 }), [['a', 'b', 'd'], ['a', 'x']]);
  });

  test(`${backend.name}: bad input rejects with FLOWSTORE_INVALID_ARGUMENT naming the field, and changes nothing`, async (t) => {
    const memories = await open(t);
    const invalid = (field: string) => ({ code: 'FLOWSTORE_INVALID_ARGUMENT', details: { field } });
    await assert.rejects(memories.put(['a.b'], 'k', { v: 1 }), (e: any) => e.code === 'FLOWSTORE_INVALID_ARGUMENT' && e.details.field === 'namespace.0');
    await assert.rejects(memories.put([], 'k', { v: 1 }), (e: any) => e.details.field === 'namespace');
    await assert.rejects(memories.put(['langgraph'], 'k', { v: 1 }), (e: any) => e.details.field === 'namespace.0');
    await assert.rejects(memories.put(['a'], '', { v: 1 }), (e: any) => e.details.field === 'key');
    await assert.rejects(memories.put(['a'], 'k', { f: () => 1 }), (e: any) => e.details.field === 'value');
    await assert.rejects(memories.put(['a'], 'k', { v: 1 }, undefined, { ttl: -1 }), (e: any) => e.details.field === 'ttl');
    await assert.rejects(memories.search(['a'], { limit: 0 }), (e: any) => e.details.field === 'limit');
    await assert.rejects(memories.search(['a'], { filter: { v: { $regex: 'x' } } }), (e: any) => e.details.field === 'filter.v.$regex');
    await assert.rejects(memories.search(['a'], { query: '!!!' }), (e: any) => e.details.field === 'query');
    await assert.rejects(memories.listNamespaces({ maxDepth: 0 }), (e: any) => e.details.field === 'maxDepth');
    await assert.rejects(memories.batch([{ namespace: ['ok'], key: 'k', value: { v: 1 } }, { namespace: ['a:b'], key: 'k' }] as never),
      (e: any) => e.details.field === 'operations.1.namespace.0');
    await assert.rejects(memories.batch([{ nonsense: true }] as never), invalid('operations.0'));
    assert.deepEqual(await memories.search([]), []);
    assert.throws(() => new FlowstoreStore(memories.store, { ttl: { defaultTtl: 0 } }), { code: 'FLOWSTORE_INVALID_OPTIONS' });
    assert.throws(() => new FlowstoreStore(memories.store, { tll: {} } as never), { code: 'FLOWSTORE_INVALID_OPTIONS' });
  });

  test(`${backend.name}: a graph writes memories through the store and reads them in another thread`, async (t) => {
    const store = await tempStore(t, { path: backend.path });
    const checkpointer = new FlowstoreSaver(store);
    const memories = new FlowstoreStore(store);
    const State = Annotation.Root({ user: Annotation<string>(), fact: Annotation<string>(), recalled: Annotation<string[]>() });
    const graph = new StateGraph(State)
      .addNode('remember', async (s, config: LangGraphRunnableConfig) => {
        await config.store!.put(['memories', s.user], `fact-${Date.now()}-${Math.random()}`, { text: s.fact });
        return {};
      })
      .addNode('recall', async (s, config: LangGraphRunnableConfig) => {
        const found = await config.store!.search(['memories', s.user], { query: 'Lisbon' });
        return { recalled: found.map((i) => i.value.text as string) };
      })
      .addEdge(START, 'remember').addEdge('remember', 'recall').addEdge('recall', END)
      .compile({ checkpointer, store: memories });
    await graph.invoke({ user: 'u1', fact: 'moved to Lisbon' }, { configurable: { thread_id: 'one' } });
    const second = await graph.invoke({ user: 'u1', fact: 'likes tea' }, { configurable: { thread_id: 'two' } });
    assert.deepEqual(second.recalled, ['moved to Lisbon']);
    assert.equal((await memories.search(['memories', 'u1'])).length, 2);
    assert.deepEqual((await graph.getState({ configurable: { thread_id: 'two' } })).values.recalled, ['moved to Lisbon']);
  });
}
