/** Budget pools, approval requests and stream events of the aaow adapter. */
import { toSqlTime } from '../../codec.ts';
import { FlowstoreError, notFound } from '../../errors.ts';
import { opsOf } from '../../engine/op.ts';
import { listRows, withParent } from './list.ts';
import { approvalOf, budgetPoolOf, streamEventOf } from './rows.ts';
import { byId, inputs } from './schema.ts';
import { LISTS, type AaowStatements } from './sql.ts';
import type { ApprovalRequest, ApprovalStatus, BudgetPool, StreamEvent } from './types.ts';

const op = opsOf<AaowStatements>();
const sqlTime = (date: Date | undefined): string | null => (date ? toSqlTime(date) : null);

/** Approve or reject: only a pending request can be resolved. */
function resolve(sql: AaowStatements, status: ApprovalStatus, id: string, by: string, notes: string | undefined): void {
  if (Number(sql.resolveApproval.run(id, status, toSqlTime(new Date()), by, notes ?? null).changes) > 0) return;
  const row = sql.approvalStatus.get(id);
  if (!row) throw notFound('approval request', id);
  throw new FlowstoreError('FLOWSTORE_CONFLICT', `approval request ${id} is ${String(row.status)}, not pending`, {
    details: { id, status: row.status },
  });
}

export const approvalOps = {
  createBudgetPool: op({
    kind: 'write',
    input: inputs.createBudgetPool,
    run({ sql, codec }, { pool: p }): void {
      withParent('budget pool', p.parentPoolId, () => sql.insertPool.run(p.id, p.parentPoolId ?? null, p.totalBudget, p.usedBudget,
        p.remainingBudget, p.status, toSqlTime(p.createdAt), p.metadata === undefined ? null : codec.encodeJson(p.metadata)));
    },
  }),

  getBudgetPool: op({
    kind: 'read',
    input: byId,
    run({ sql, codec }, { id }): BudgetPool | null {
      const row = sql.getPool.get(id);
      return row ? budgetPoolOf(codec, row) : null;
    },
  }),

  updateBudgetPool: op({
    kind: 'write',
    input: inputs.updateBudgetPool,
    run({ sql, codec }, { id, update: u }): void {
      const { changes } = withParent('budget pool', u.parentPoolId, () => sql.updatePool.run(id, u.parentPoolId ?? null, u.totalBudget ?? null,
        u.usedBudget ?? null, u.remainingBudget ?? null, u.status ?? null, sqlTime(u.createdAt),
        u.metadata === undefined ? null : codec.encodeJson(u.metadata)));
      if (Number(changes) === 0) throw notFound('budget pool', id);
    },
  }),

  getChildBudgetPools: op({
    kind: 'read',
    input: inputs.getChildBudgetPools,
    run({ sql, codec }, { parentId }): BudgetPool[] {
      return sql.childPools.all(parentId).map((row) => budgetPoolOf(codec, row));
    },
  }),

  createApprovalRequest: op({
    kind: 'write',
    input: inputs.createApprovalRequest,
    run({ sql, codec }, { request: r }): void {
      withParent('session', r.sessionId, () => sql.insertApproval.run(r.id, r.sessionId, r.nodeId, r.type, r.status, codec.encodeJson(r.context),
        toSqlTime(r.createdAt), sqlTime(r.resolvedAt), r.resolvedBy ?? null, r.resolutionNotes ?? null));
    },
  }),

  getApprovalRequest: op({
    kind: 'read',
    input: byId,
    run({ sql, codec }, { id }): ApprovalRequest | null {
      const row = sql.getApproval.get(id);
      return row ? approvalOf(codec, row) : null;
    },
  }),

  listApprovalRequests: op({
    kind: 'read',
    input: inputs.listApprovalRequests,
    run({ sql, codec }, { sessionId, filter }): ApprovalRequest[] {
      return listRows(sql, LISTS.approvals, [sessionId], filter).map((row) => approvalOf(codec, row));
    },
  }),

  listPendingApprovals: op({
    kind: 'read',
    input: inputs.listPendingApprovals,
    run({ sql, codec }, { filter }): ApprovalRequest[] {
      return listRows(sql, LISTS.pendingApprovals, [], filter).map((row) => approvalOf(codec, row));
    },
  }),

  updateApprovalRequest: op({
    kind: 'write',
    input: inputs.updateApprovalRequest,
    run({ sql, codec }, { id, update: u }): void {
      const { changes } = sql.updateApproval.run(id, u.nodeId ?? null, u.type ?? null, u.status ?? null,
        u.context === undefined ? null : codec.encodeJson(u.context), sqlTime(u.createdAt), sqlTime(u.resolvedAt), u.resolvedBy ?? null,
        u.resolutionNotes ?? null);
      if (Number(changes) === 0) throw notFound('approval request', id);
    },
  }),

  approveRequest: op({
    kind: 'write',
    input: inputs.resolveRequest,
    run({ sql }, { id, by, notes }): void {
      resolve(sql, 'approved', id, by, notes);
    },
  }),

  rejectRequest: op({
    kind: 'write',
    input: inputs.resolveRequest,
    run({ sql }, { id, by, notes }): void {
      resolve(sql, 'rejected', id, by, notes);
    },
  }),

  saveStreamEvent: op({
    kind: 'write',
    input: inputs.saveStreamEvent,
    run({ sql, codec }, { event: e }): void {
      withParent('session', e.sessionId, () => sql.insertStreamEvent.run(e.id, e.streamId, e.nodeId, codec.encodeJson(e.data),
        toSqlTime(e.timestamp), e.sessionId ?? null));
    },
  }),

  getStreamEvents: op({
    kind: 'read',
    input: inputs.getStreamEvents,
    run({ sql, codec }, { streamId, filter }): StreamEvent[] {
      return listRows(sql, LISTS.streamEvents, [streamId], filter).map((row) => streamEventOf(codec, row));
    },
  }),
};
