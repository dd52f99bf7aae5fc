/** Agents: views (prefixes), each view's agents, one agent's history; events with full-text search; tasks; sessions. */
import { notFound } from '../../errors.ts';
import type { AgentsApi } from '../../domains/agents/api.ts';
import type { AgentSessionStatus, AgentTaskStatus } from '../../domains/agents/schema.ts';
import type { Store } from '../../store.ts';
import { toDisplay } from '../display.ts';
import { agentPrefixes, eventTypes, recentEvents, queryOf } from '../queries.ts';
import { pageOf, paging, requiredParam, textParam, type Handler, type Routes } from './context.ts';

function view(store: Store, prefix: string | undefined): AgentsApi {
  return prefix === undefined ? store.agents : store.agents.withPrefix(prefix);
}

/** State data is text; shown as a tree when it is JSON, as the text otherwise. */
function stateDataOf(text: string): unknown {
  try {
    return toDisplay(JSON.parse(text));
  } catch {
    return toDisplay(text);
  }
}

/**
 * A view's agents. Without a `prefix` the page opens on the first view that has live agents
 * (the store's own first): a store whose agents all sit under `worker:` opens on `worker:`,
 * not on an empty view. At most this many views are tried.
 */
const VIEWS_TRIED = 8;

export const agents: Handler = async ({ store, params }) => {
  const { page, limit, offset } = paging(params);
  const asked = textParam(params, 'prefix');
  const found = await agentPrefixes(queryOf(store));
  const list = (prefix: string) => view(store, prefix === '' ? undefined : prefix).listAgents({ limit: limit + 1, offset });
  let prefix = asked ?? found.prefixes[0] ?? '';
  let rows = await list(prefix);
  if (asked === undefined && offset === 0) {
    for (const other of found.prefixes.slice(1, VIEWS_TRIED)) {
      if (rows.length > 0) break;
      [prefix, rows] = [other, await list(other)];
    }
    if (rows.length === 0) prefix = found.prefixes[0] ?? '';
  }
  const { items, more } = pageOf(rows, limit);
  return {
    ...found,
    prefix,
    page,
    more,
    items: items.map(({ agentId, name, status, version, createdAt, updatedAt }) => ({ agentId, name, status, version, createdAt, updatedAt })),
  };
};

/** Transitions shown on an agent's page, newest first. */
const HISTORY_SHOWN = 100;

export const agent: Handler = async ({ store, params }) => {
  const id = requiredParam(params, 'id');
  const agents = view(store, textParam(params, 'prefix'));
  const [state, history, snapshots] = await Promise.all([agents.loadAgentState(id), agents.getStateHistory(id, HISTORY_SHOWN), agents.listSnapshots(id)]);
  if (!state) throw notFound('agent', id);
  const { stateData, metadata, ...summary } = state;
  return {
    summary,
    metadata: toDisplay(metadata),
    stateData: stateDataOf(stateData),
    history: history.map((h) => ({ ...h, metadata: toDisplay(h.metadata) })),
    snapshots,
  };
};

export const events: Handler = async ({ store, params }) => {
  const { page, limit, offset } = paging(params);
  const q = textParam(params, 'q');
  const type = textParam(params, 'type');
  const session = textParam(params, 'session');
  const types = await eventTypes(queryOf(store));
  // Full-text search and the type filter have no offset in the API: they show the first page only.
  let rows: Record<string, unknown>[];
  if (q !== undefined) rows = await store.agents.searchEvents(q, { limit }) as unknown as Record<string, unknown>[];
  else if (type !== undefined) rows = await store.agents.getEventsByType(type, { limit }) as unknown as Record<string, unknown>[];
  else if (session !== undefined) rows = (await store.agents.getEvents(session)).slice(offset, offset + limit + 1) as unknown as Record<string, unknown>[];
  else {
    rows = (await recentEvents(queryOf(store), limit + 1, offset)).map((r) => ({
      id: r.id, eventType: r.event_type, timestamp: r.timestamp, sessionId: r.session_id, actorType: r.actor_type, actorId: r.actor_id, content: r.content,
    }));
  }
  const paged = q === undefined && type === undefined;
  const { items, more } = paged ? pageOf(rows, limit) : { items: rows, more: false };
  return {
    page: paged ? page : 0,
    more,
    types,
    items: items.map(({ id, eventType, timestamp, sessionId, actorType, actorId, content }) => ({ id, eventType, timestamp, sessionId, actorType, actorId, content })),
  };
};

export const tasks: Handler = async ({ store, params }) => {
  const { page, limit, offset } = paging(params);
  const rows = await store.agents.getTasks({ status: textParam(params, 'status') as AgentTaskStatus | undefined, limit: limit + 1, offset });
  return { page, ...pageOf(rows.map((t) => ({ ...t, metadata: toDisplay(t.metadata) })), limit) };
};

export const agentSessions: Handler = async ({ store, params }) => {
  const { page, limit, offset } = paging(params);
  const rows = await store.agents.getSessions({ status: textParam(params, 'status') as AgentSessionStatus | undefined, limit: limit + 1, offset });
  return { page, ...pageOf(rows.map((s) => ({ ...s, metadata: toDisplay(s.metadata) })), limit) };
};

export const routes: Routes = { '/api/agents': agents, '/api/agent': agent, '/api/events': events, '/api/tasks': tasks, '/api/agent-sessions': agentSessions };
