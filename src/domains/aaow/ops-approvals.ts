/** Budget pools, approval requests and stream events of the aaow adapter. */
import { toSqlTime } from '../../codec.ts';
import { FlowstoreError, notFound } from '../../errors.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { opsOf } from '../../engine/op.ts';
import { listRows, withParent } from './list.ts';
import { approvalOf, budgetPoolOf, streamEventOf } from './rows.ts';
import type * as Schemas from './schema.ts';
import { LISTS, type AaowStatements, type ApprovalRow, type BudgetPoolRow, type StreamEventRow } from './statements.ts';
import type { ApprovalRequest, ApprovalStatus, BudgetPool, StreamEvent } from './types.ts';

const op = opsOf<AaowStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');
const sqlTime = (date: Date | undefined): string | null => (date ? toSqlTime(date) : null);

/** Approve or reject: only a pending request can be resolved. */
async function resolve(sql: AaowStatements, status: ApprovalStatus, id: string, by: string, notes: string | undefined): Promise<void> {
  if (Number((await sql.resolveApproval.run(id, status, toSqlTime(new Date()), by, notes ?? null)).changes) > 0) return;
  const row = await sql.approvalStatus.get(id);
  if (!row) throw notFound('approval request', id);
  throw new FlowstoreError('FLOWSTORE_CONFLICT', `approval request ${id} is ${String(row.status)}, not pending`, {
    details: { id, status: row.status },
  });
}

export const approvalOps = {
  createBudgetPool: op({
    kind: 'write',
    input: s.inputs.createBudgetPool,
    async run({ sql, codec }, { pool: p }): Promise<void> {
      await withParent(sql, 'budget pool', p.parentPoolId, () => sql.insertPool.run(p.id, p.parentPoolId ?? null, p.totalBudget, p.usedBudget,
        p.remainingBudget, p.status, toSqlTime(p.createdAt), p.metadata === undefined ? null : codec.encodeJson(p.metadata)));
    },
  }),

  getBudgetPool: op({
    kind: 'read',
    input: s.byId,
    async run({ sql, codec }, { id }): Promise<BudgetPool | null> {
      const row = (await sql.getPool.get(id)) as BudgetPoolRow | undefined;
      return row ? budgetPoolOf(codec, row) : null;
    },
  }),

  updateBudgetPool: op({
    kind: 'write',
    input: s.inputs.updateBudgetPool,
    async run({ sql, codec }, { id, update: u }): Promise<void> {
      const { changes } = await withParent(sql, 'budget pool', u.parentPoolId, () => sql.updatePool.run(id, u.parentPoolId ?? null, u.totalBudget ?? null,
        u.usedBudget ?? null, u.remainingBudget ?? null, u.status ?? null, sqlTime(u.createdAt),
        u.metadata === undefined ? null : codec.encodeJson(u.metadata)));
      if (Number(changes) === 0) throw notFound('budget pool', id);
    },
  }),

  getChildBudgetPools: op({
    kind: 'read',
    input: s.inputs.getChildBudgetPools,
    async run({ sql, codec }, { parentId }): Promise<BudgetPool[]> {
      return ((await sql.childPools.all(parentId)) as BudgetPoolRow[]).map((row) => budgetPoolOf(codec, row));
    },
  }),

  createApprovalRequest: op({
    kind: 'write',
    input: s.inputs.createApprovalRequest,
    async run({ sql, codec }, { request: r }): Promise<void> {
      await withParent(sql, 'session', r.sessionId, () => sql.insertApproval.run(r.id, r.sessionId, r.nodeId, r.type, r.status, codec.encodeJson(r.context),
        toSqlTime(r.createdAt), sqlTime(r.resolvedAt), r.resolvedBy ?? null, r.resolutionNotes ?? null));
    },
  }),

  getApprovalRequest: op({
    kind: 'read',
    input: s.byId,
    async run({ sql, codec }, { id }): Promise<ApprovalRequest | null> {
      const row = (await sql.getApproval.get(id)) as ApprovalRow | undefined;
      return row ? approvalOf(codec, row) : null;
    },
  }),

  listApprovalRequests: op({
    kind: 'read',
    input: s.inputs.listApprovalRequests,
    async run({ sql, codec }, { sessionId, filter }): Promise<ApprovalRequest[]> {
      return (await listRows<ApprovalRow>(sql, LISTS.approvals, [sessionId], filter)).map((row) => approvalOf(codec, row));
    },
  }),

  listPendingApprovals: op({
    kind: 'read',
    input: s.inputs.listPendingApprovals,
    async run({ sql, codec }, { filter }): Promise<ApprovalRequest[]> {
      return (await listRows<ApprovalRow>(sql, LISTS.pendingApprovals, [], filter)).map((row) => approvalOf(codec, row));
    },
  }),

  updateApprovalRequest: op({
    kind: 'write',
    input: s.inputs.updateApprovalRequest,
    async run({ sql, codec }, { id, update: u }): Promise<void> {
      const { changes } = await sql.updateApproval.run(id, u.nodeId ?? null, u.type ?? null, u.status ?? null,
        u.context === undefined ? null : codec.encodeJson(u.context), sqlTime(u.createdAt), sqlTime(u.resolvedAt), u.resolvedBy ?? null,
        u.resolutionNotes ?? null);
      if (Number(changes) === 0) throw notFound('approval request', id);
    },
  }),

  approveRequest: op({
    kind: 'write',
    input: s.inputs.resolveRequest,
    run({ sql }, { id, by, notes }): Promise<void> {
      return resolve(sql, 'approved', id, by, notes);
    },
  }),

  rejectRequest: op({
    kind: 'write',
    input: s.inputs.resolveRequest,
    run({ sql }, { id, by, notes }): Promise<void> {
      return resolve(sql, 'rejected', id, by, notes);
    },
  }),

  saveStreamEvent: op({
    kind: 'write',
    input: s.inputs.saveStreamEvent,
    async run({ sql, codec }, { event: e }): Promise<void> {
      await withParent(sql, 'session', e.sessionId, () => sql.insertStreamEvent.run(e.id, e.streamId, e.nodeId, codec.encodeJson(e.data),
        toSqlTime(e.timestamp), e.sessionId ?? null));
    },
  }),

  getStreamEvents: op({
    kind: 'read',
    input: s.inputs.getStreamEvents,
    async run({ sql, codec }, { streamId, filter }): Promise<StreamEvent[]> {
      return (await listRows<StreamEventRow>(sql, LISTS.streamEvents, [streamId], filter)).map((row) => streamEventOf(codec, row));
    },
  }),
};
