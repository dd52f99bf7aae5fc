/** store.agents workloads (issue 4), each beside raw node:sqlite doing the same SQL on the main thread. */
import { join } from 'node:path';
import { toJsonText } from '../../src/codec.ts';
import { prepareAgents } from '../../src/domains/agents/sqlite.ts';
import { toFtsQuery } from '../../src/domains/agents/search.ts';
import { openStore, type AgentStateInput, type Store } from '../../src/index.ts';
import type { BenchCase, BenchContext } from '../case.ts';
import { backgroundDone, inFlight, openRaw } from '../shared.ts';

const PER_ITERATION = 1000;
const AGENTS = 5_000;
const EVENTS = 20_000;
const SEARCHES = 200;
const WORDS = ['task', 'completed', 'failed', 'retry', 'timeout', 'batch', 'agent', 'started', 'queue', 'memory', 'disk', 'network'];

function agentState(i: number): AgentStateInput {
  return {
    agentId: `agent_${i % AGENTS}`,
    name: `Worker ${i % 50}`,
    status: i % 10 === 0 ? 'paused' : 'running',
    metadata: { type: 'worker', capacity: 100, tags: ['production'] },
    stateData: JSON.stringify({ tasksProcessed: i, currentTask: `task_${i}`, notes: 'x'.repeat(700) }),
    version: 1,
  };
}

function eventContent(i: number): string {
  return `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} event number ${i} ${WORDS[(i * 3) % WORDS.length]}`;
}


/** A raw connection on its own file with the agents schema and flowstore's own statements. */
function rawDb(ctx: BenchContext, name: string) {
  const db = openRaw(ctx, name, '0005_agents.sql');
  db.exec('CREATE TABLE flowstore_migrations (version INTEGER PRIMARY KEY, name TEXT, description TEXT, checksum TEXT, applied_at TEXT)');
  return { db, sql: prepareAgents(db) };
}

const now = (): number => Math.floor(Date.now() / 1000);

const saves: BenchCase = {
  name: 'agents.saveAgentState, 64 in flight',
  rawLabel: 'same upsert, 1,000 per transaction',
  ops: PER_ITERATION,
  async setup(ctx) {
    const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
    const raw = rawDb(ctx, 'raw.db');
    const agents = store.agents.withPrefix('worker');
    let base = 0;
    return {
      flowstore: () => {
        const offset = (base += PER_ITERATION);
        return inFlight(PER_ITERATION, (i) => agents.saveAgentState(agentState(offset + i)));
      },
      drained: backgroundDone,
      raw: () => {
        raw.db.exec('BEGIN IMMEDIATE');
        for (let i = 0; i < PER_ITERATION; i++) {
          const s = agentState(base + i);
          raw.sql.upsertAgent.run(`worker:${s.agentId}`, s.name, s.status, toJsonText(s.metadata), s.stateData, 0, 1, null, null, now());
        }
        raw.db.exec('COMMIT');
      },
      async teardown() {
        await store.close();
        raw.db.close();
      },
    };
  },
};

async function storeWithEvents(ctx: BenchContext): Promise<Store> {
  const store = await openStore({ path: join(ctx.dir, 'flowstore.db') });
  await inFlight(EVENTS, (i) => store.agents.saveEvent({ id: `e${i}`, eventType: 'step', sessionId: `s${i % 100}`, actorType: 'agent', actorId: 'a', content: eventContent(i), timestamp: i }));
  return store;
}

const searches: BenchCase = {
  name: 'agents.searchEvents (FTS5, 20k events, limit 20), 64 in flight',
  rawLabel: 'same MATCH query and join, one at a time',
  ops: SEARCHES,
  async setup(ctx) {
    const store = await storeWithEvents(ctx);
    const raw = rawDb(ctx, 'raw.db');
    raw.db.exec('BEGIN');
    for (let i = 0; i < EVENTS; i++) raw.sql.insertEvent.run(`e${i}`, 'step', i, `s${i % 100}`, 'agent', 'a', eventContent(i), null, null, now());
    raw.db.exec('COMMIT');
    const text = (i: number) => `${WORDS[i % WORDS.length]} ${WORDS[(i * 5 + 1) % WORDS.length]}`;
    return {
      flowstore: () => inFlight(SEARCHES, (i) => store.agents.searchEvents(text(i), { limit: 20 })),
      raw: () => {
        for (let i = 0; i < SEARCHES; i++) raw.sql.searchEvents.all(toFtsQuery(text(i))!, 20);
      },
      async teardown() {
        await store.close();
        raw.db.close();
      },
    };
  },
};

export const cases: BenchCase[] = [saves, searches];
