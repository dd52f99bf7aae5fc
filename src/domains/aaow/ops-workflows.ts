/** Workflows and sessions of the aaow adapter. */
import { toSqlTime } from '../../codec.ts';
import { notFound } from '../../errors.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { opsOf } from '../../engine/op.ts';
import { listRows, withParent } from './list.ts';
import { sessionOf, workflowOf } from './rows.ts';
import type * as Schemas from './schema.ts';
import { LISTS, type AaowStatements, type SessionRow, type WorkflowRow } from './statements.ts';
import type { Session, StoredWorkflow } from './types.ts';

const op = opsOf<AaowStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');
const sqlTime = (date: Date | undefined): string | null => (date ? toSqlTime(date) : null);

export const workflowOps = {
  saveWorkflow: op({
    kind: 'write',
    input: s.inputs.saveWorkflow,
    run({ sql, codec }, { workflow: w }): void {
      // Not awaited: a taken id fails the operation all the same (FLOWSTORE_CONFLICT).
      void sql.insertWorkflow.run(w.id, w.name, w.version, codec.encodeJson(w.definition), toSqlTime(w.createdAt), toSqlTime(w.updatedAt),
        w.metadata === undefined ? null : codec.encodeJson(w.metadata));
    },
  }),

  getWorkflow: op({
    kind: 'read',
    input: s.byId,
    async run({ sql, codec }, { id }): Promise<StoredWorkflow | null> {
      const row = (await sql.getWorkflow.get(id)) as WorkflowRow | undefined;
      return row ? workflowOf(codec, row) : null;
    },
  }),

  listWorkflows: op({
    kind: 'read',
    input: s.inputs.listWorkflows,
    async run({ sql, codec }, { filter }): Promise<StoredWorkflow[]> {
      return (await listRows<WorkflowRow>(sql, LISTS.workflows, [], filter)).map((row) => workflowOf(codec, row));
    },
  }),

  updateWorkflow: op({
    kind: 'write',
    input: s.inputs.updateWorkflow,
    async run({ sql, codec }, { id, update: u }): Promise<void> {
      // updatedAt moves on every update unless given, as Prisma's @updatedAt does.
      const { changes } = await sql.updateWorkflow.run(id, u.name ?? null, u.version ?? null,
        u.definition === undefined ? null : codec.encodeJson(u.definition), sqlTime(u.createdAt), toSqlTime(u.updatedAt ?? new Date()),
        u.metadata === undefined ? null : codec.encodeJson(u.metadata));
      if (Number(changes) === 0) throw notFound('workflow', id);
    },
  }),

  deleteWorkflow: op({
    kind: 'write',
    input: s.byId,
    async run({ sql }, { id }): Promise<void> {
      // Its sessions stay, keeping their snapshot; their workflowId becomes null (ON DELETE SET NULL).
      if (Number((await sql.deleteWorkflow.run(id)).changes) === 0) throw notFound('workflow', id);
    },
  }),

  createSession: op({
    kind: 'write',
    input: s.inputs.createSession,
    async run({ sql, codec }, { session: s }): Promise<void> {
      await withParent(sql, 'workflow', s.workflowId, () => sql.insertSession.run(s.id, s.workflowId, codec.encodeJson(s.workflowSnapshot), s.status,
        toSqlTime(s.createdAt), toSqlTime(s.updatedAt), s.metadata === undefined ? null : codec.encodeJson(s.metadata)));
    },
  }),

  getSession: op({
    kind: 'read',
    input: s.byId,
    async run({ sql, codec }, { id }): Promise<Session | null> {
      const row = (await sql.getSession.get(id)) as SessionRow | undefined;
      return row ? sessionOf(codec, row) : null;
    },
  }),

  listSessions: op({
    kind: 'read',
    input: s.inputs.listSessions,
    async run({ sql, codec }, { filter }): Promise<Session[]> {
      return (await listRows<SessionRow>(sql, LISTS.sessions, [], filter)).map((row) => sessionOf(codec, row));
    },
  }),

  updateSession: op({
    kind: 'write',
    input: s.inputs.updateSession,
    async run({ sql, codec }, { id, update: u }): Promise<void> {
      const { changes } = await withParent(sql, 'workflow', u.workflowId, () => sql.updateSession.run(id, u.workflowId ?? null,
        u.workflowSnapshot === undefined ? null : codec.encodeJson(u.workflowSnapshot), u.status ?? null, sqlTime(u.createdAt),
        toSqlTime(u.updatedAt ?? new Date()), u.metadata === undefined ? null : codec.encodeJson(u.metadata)));
      if (Number(changes) === 0) throw notFound('session', id);
    },
  }),

  /** store.cleanup's share: finished sessions not updated since `before`, with everything that cascades from them. */
  cleanupRetention: op({
    kind: 'write',
    input: s.retentionInput,
    async run({ sql }, { before, statuses }): Promise<number> {
      return Number((await sql.deleteFinishedSessions.run(toSqlTime(before), JSON.stringify(statuses))).changes);
    },
  }),

  deleteSession: op({
    kind: 'write',
    input: s.byId,
    async run({ sql }, { id }): Promise<void> {
      // Foreign keys cascade: execution state, node states, LLM executions and their tool calls, approvals, linked stream events.
      if (Number((await sql.deleteSession.run(id)).changes) === 0) throw notFound('session', id);
    },
  }),
};
