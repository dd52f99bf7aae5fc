/** aaow: sessions by status, one session's execution, pending approvals, LLM executions, budget pools as a tree. */
import { notFound } from '../../errors.ts';
import type { LLMExecutionRecord, Session, SessionStatus } from '../../domains/aaow/types.ts';
import { toDisplay } from '../display.ts';
import { aaowStatusCounts, childPoolCount, recentLlm, rootPools, sessionLlmNodes, queryOf } from '../queries.ts';
import { pageOf, paging, requiredParam, textParam, type Handler, type Routes } from './context.ts';

const newest = <F extends string>(field: F) => ({ field, direction: 'desc' as const });

function sessionRow({ id, workflowId, status, createdAt, updatedAt }: Session) {
  return { id, workflowId: workflowId ?? null, status, createdAt, updatedAt };
}

/** aaow records no price: a cost is what the caller put in the execution's metadata (`cost` or `costUsd`). */
function costOf(record: LLMExecutionRecord | undefined): number | null {
  const metadata = record?.metadata ?? {};
  const cost = metadata.cost ?? metadata.costUsd;
  return typeof cost === 'number' && Number.isFinite(cost) ? cost : null;
}

function llmRow(record: LLMExecutionRecord, sessionId: string, nodeId: string) {
  return {
    id: record.id, sessionId, nodeId, timestamp: record.timestamp, success: record.success,
    promptTokens: record.usage?.promptTokens ?? null, completionTokens: record.usage?.completionTokens ?? null,
    totalTokens: record.usage?.totalTokens ?? null, cost: costOf(record), model: typeof record.metadata?.model === 'string' ? record.metadata.model : null,
    error: record.error ?? null,
  };
}

export const aaowSummary: Handler = async ({ store, sampler }) => ({
  statusCounts: await aaowStatusCounts(queryOf(store)),
  pendingApprovals: sampler.latest()?.counts.pendingApprovals ?? null,
});

export const aaowSessions: Handler = async ({ store, params }) => {
  const { page, limit, offset } = paging(params);
  const status = textParam(params, 'status') as SessionStatus | undefined;
  const rows = await store.aaow.listSessions({ where: status ? { status } : undefined, orderBy: newest('createdAt'), limit: limit + 1, offset });
  return { page, ...pageOf(rows.map(sessionRow), limit) };
};

const SHOWN = 200;

export const aaowSession: Handler = async ({ store, params }) => {
  const id = requiredParam(params, 'id');
  const [session, execution, llm, approvals, tools, nodes] = await Promise.all([
    store.aaow.getSession(id),
    store.aaow.getExecutionState(id),
    store.aaow.getLLMExecutions(id, { orderBy: newest('timestamp'), limit: SHOWN }),
    store.aaow.listApprovalRequests(id, { orderBy: newest('createdAt'), limit: SHOWN }),
    store.aaow.getSessionToolCalls(id, { orderBy: newest('timestamp'), limit: SHOWN }),
    sessionLlmNodes(queryOf(store), id, SHOWN),
  ]);
  if (!session) throw notFound('session', id);
  return {
    session: sessionRow(session),
    metadata: toDisplay(session.metadata ?? null),
    workflow: toDisplay(session.workflowSnapshot),
    execution: toDisplay(execution),
    llm: llm.map((r) => ({ ...llmRow(r, id, nodes.get(r.id) ?? ''), text: r.text ?? null })),
    approvals: approvals.map((a) => ({ ...a, context: toDisplay(a.context) })),
    tools: tools.map((t) => ({ id: t.id, toolName: t.toolName, timestamp: t.timestamp, duration: t.duration ?? null, error: t.error ?? null, args: toDisplay(t.args), result: toDisplay(t.result) })),
  };
};

export const approvals: Handler = async ({ store, params }) => {
  const { page, limit, offset } = paging(params);
  const rows = await store.aaow.listPendingApprovals({ orderBy: newest('createdAt'), limit: limit + 1, offset });
  return { page, ...pageOf(rows.map((a) => ({ ...a, context: toDisplay(a.context) })), limit) };
};

/** The newest LLM executions of every session: ids and order from an index, each record (tokens, metadata's cost) through the API. */
export const llmExecutions: Handler = async ({ store, params }) => {
  const { page, limit, offset } = paging(params);
  const { items, more } = pageOf(await recentLlm(queryOf(store), limit + 1, offset), limit);
  const records = await Promise.all(items.map((row) => store.aaow.getLLMExecutions(String(row.sessionId), { where: { id: String(row.id) } })));
  return {
    page,
    more,
    items: items.map((row, i) => (records[i]![0] ? llmRow(records[i]![0], String(row.sessionId), String(row.nodeId)) : null)).filter((r) => r !== null),
  };
};

/** Budget pools: the roots (paged), or the children of `parent`; each with how many children it has. */
export const pools: Handler = async ({ store, params }) => {
  const parent = textParam(params, 'parent');
  const { page, limit, offset } = paging(params);
  let list;
  let more = false;
  if (parent === undefined) {
    const ids = pageOf(await rootPools(queryOf(store), limit + 1, offset), limit);
    more = ids.more;
    list = (await Promise.all(ids.items.map((id) => store.aaow.getBudgetPool(id)))).filter((p) => p !== null);
  } else {
    list = await store.aaow.getChildBudgetPools(parent);
  }
  const children = await Promise.all(list.map((p) => childPoolCount(queryOf(store), p.id)));
  return { page, more, items: list.map((p, i) => ({ ...p, metadata: toDisplay(p.metadata ?? null), children: children[i] })) };
};

export const routes: Routes = {
  '/api/aaow': aaowSummary,
  '/api/aaow/sessions': aaowSessions,
  '/api/aaow/session': aaowSession,
  '/api/aaow/approvals': approvals,
  '/api/aaow/llm': llmExecutions,
  '/api/aaow/pools': pools,
};
