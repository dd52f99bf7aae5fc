import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agentPrefixes, dagIds, domainCounts, eventTypes, pipelines, SQL } from '../src/ui/queries.ts';
import { tempStore } from './helpers.ts';

const RUN = { pipelineName: 'P', pipelineVersion: '1', pipelineContext: {}, lastStepOutput: null, status: 'running' } as const;

/** Every statement of queries.ts with its name: nested objects flattened. */
function statements(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (prefix: string, value: unknown) => {
    if (typeof value === 'string') out.push([prefix, value]);
    else for (const [key, inner] of Object.entries(value as object)) walk(prefix ? `${prefix}.${key}` : key, inner);
  };
  walk('', SQL);
  return out;
}

describe('ui queries', () => {
  test('every statement is index-backed: no full table scan but for the plain counts', async (t) => {
    const store = await tempStore(t);
    for (const [name, sql] of statements()) {
      const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1);
      const plan = await store.query(`EXPLAIN QUERY PLAN ${sql}`, params);
      const scans = plan.map((row) => String(row.detail)).filter((detail) => /^SCAN (?!CONSTANT ROW)\S+$/.test(detail) && !/^SCAN [pt]$/.test(detail));
      if (name.startsWith('count.')) continue;
      assert.deepEqual(scans, [], `${name}: ${plan.map((r) => r.detail).join(' | ')}`);
      // The root pools are found by index (parentPoolId IS NULL) and only they are sorted by id; threads
      // are grouped in index order and only the groups (one per thread) are sorted by their newest id.
      if (name === 'rootPools' || name === 'langgraph.threads') continue;
      assert.ok(!plan.some((row) => /USE TEMP B-TREE FOR (ORDER BY|DISTINCT)/.test(String(row.detail))), `${name} sorts all rows: ${plan.map((r) => r.detail).join(' | ')}`);
    }
  });

  test('statements use no SQLite-only function', () => {
    for (const [name, sql] of statements()) {
      assert.doesNotMatch(sql, /\b(json_\w+|instr|strftime|datetime|ifnull|iif|printf|glob|group_concat|rowid)\b/i, name);
    }
  });

  test('listings: pipelines, event types, DAG ids paged across tables, agent views, counts', async (t) => {
    const store = await tempStore(t);
    for (const [i, pipelineId] of ['b', 'a', 'b', 'c'].entries()) await store.runs.saveState(`r${i}`, { ...RUN, pipelineId, status: i === 0 ? 'failed' : 'running' });
    await store.agents.saveEvent({ sessionId: 's', eventType: 'msg', actorType: 'u', actorId: 'u', content: 'x' });
    await store.agents.saveEvent({ sessionId: 's', eventType: 'alert', actorType: 'u', actorId: 'u', content: 'y' });
    await store.dag.saveCacheDelta('d1', { n: { k: 1 } });
    await store.dag.saveExecutionTree('d2', { nodes: [] });
    await store.dag.saveSnapshot('d3', new Uint8Array([1]));
    await store.dag.saveExecutionState('d0', 'active', new Uint8Array([1]));
    const agent = (agentId: string) => ({ agentId, name: agentId, status: 'idle', stateData: '{}' });
    await store.agents.saveAgentState(agent('plain'));
    await store.agents.saveAgentState(agent('zed'));
    await store.agents.withPrefix('ops').saveAgentState(agent('o1'));
    await store.agents.withPrefix('ops').saveAgentState(agent('o2'));
    await store.agents.withPrefix('worker').saveAgentState(agent('w1'));

    assert.deepEqual(await pipelines(store.query), ['a', 'b', 'c']);
    assert.deepEqual(await pipelines(store.query, 2), ['a', 'b']);
    assert.deepEqual(await eventTypes(store.query), ['alert', 'msg']);
    assert.deepEqual(await dagIds(store.query, { from: '' }, 3), { ids: ['d0', 'd1', 'd2'], more: true });
    assert.deepEqual(await dagIds(store.query, { after: 'd2' }, 3), { ids: ['d3'], more: false });
    assert.deepEqual(await dagIds(store.query, { from: 'd2' }, 3), { ids: ['d2', 'd3'], more: false });
    assert.deepEqual(await agentPrefixes(store.query), { prefixes: ['', 'ops', 'worker'], complete: true });
    assert.equal((await agentPrefixes(store.query, 2)).complete, false);
    const counts = await domainCounts(store.query);
    assert.deepEqual(counts.runs, { total: 4, byStatus: { failed: 1, running: 3 } });
    assert.equal(counts.tables.events, 2);
    assert.equal(counts.tables.agent_states, 5);
    assert.equal(counts.pendingApprovals, 0);
  });
});
