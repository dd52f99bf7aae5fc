/** Events (with full-text search), tasks, sessions and the migration history: store-wide, not prefix-scoped. */
import { randomUUID } from 'node:crypto';
import type { Codec } from '../../codec.ts';
import { fromSqlTime } from '../../codec.ts';
import { notFound } from '../../errors.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { opsOf } from '../../engine/op.ts';
import type * as Schemas from './schema.ts';
import type { AgentEvent, MigrationRecord, AgentSession, AgentSessionStatus, AgentTask, AgentTaskStatus } from './schema.ts';
import type { AgentsStatements, EventRow, MigrationRow, SessionRow, TaskRow } from './statements.ts';
import { nowSeconds } from './ops-state.ts';

const op = opsOf<AgentsStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');

function optionalJson(codec: Codec, value: unknown): string | Uint8Array | null {
  return value === undefined ? null : codec.encodeJson(value);
}

function event(codec: Codec, row: EventRow): AgentEvent {
  return {
    id: row.id,
    eventType: row.event_type,
    timestamp: row.timestamp,
    sessionId: row.session_id,
    actorType: row.actor_type,
    actorId: row.actor_id,
    content: row.content,
    metadata: codec.decodeJson(row.metadata),
    gitCommit: row.git_commit,
    createdAt: row.created_at,
  };
}

function task(codec: Codec, row: TaskRow): AgentTask {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status as AgentTaskStatus,
    assignedTo: row.assigned_to,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    metadata: codec.decodeJson(row.metadata),
  };
}

function session(codec: Codec, row: SessionRow): AgentSession {
  return {
    id: row.id,
    agentId: row.agent_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    status: row.status as AgentSessionStatus,
    metadata: codec.decodeJson(row.metadata),
    createdAt: row.created_at,
  };
}

export const recordOps = {
  saveEvent: op({
    kind: 'write',
    input: s.saveEventInput,
    run({ sql, codec }, { event: e }): string {
      const id = e.id ?? randomUUID();
      const now = nowSeconds();
      void sql.insertEvent.run(id, e.eventType, e.timestamp ?? now, e.sessionId, e.actorType, e.actorId, e.content,
        optionalJson(codec, e.metadata), e.gitCommit ?? null, now);
      return id;
    },
  }),

  getEvents: op({
    kind: 'read',
    input: s.sessionIdInput,
    async run({ sql, codec }, { sessionId }): Promise<AgentEvent[]> {
      return ((await sql.eventsBySession.all(sessionId)) as EventRow[]).map((row) => event(codec, row));
    },
  }),

  getEventsByType: op({
    kind: 'read',
    input: s.eventTypeInput,
    async run({ sql, codec }, { eventType, limit }): Promise<AgentEvent[]> {
      return ((await sql.eventsByType.all(eventType, limit ?? null)) as EventRow[]).map((row) => event(codec, row));
    },
  }),

  searchEvents: op({
    kind: 'read',
    input: s.searchInput,
    async run({ sql, codec }, { text, limit }): Promise<AgentEvent[]> {
      const query = sql.searchQuery(text);
      if (query === undefined) return [];
      return ((await sql.searchEvents.all(query, limit)) as EventRow[]).map((row) => event(codec, row));
    },
  }),

  saveTask: op({
    kind: 'write',
    input: s.saveTaskInput,
    run({ sql, codec }, { task: t }): string {
      const id = t.id ?? randomUUID();
      void sql.upsertTask.run(id, t.title, t.description ?? null, t.status, t.assignedTo ?? null, t.createdAt ?? null,
        t.updatedAt ?? null, optionalJson(codec, t.metadata), nowSeconds());
      return id;
    },
  }),

  getTask: op({
    kind: 'read',
    input: s.idInput,
    async run({ sql, codec }, { id }): Promise<AgentTask | null> {
      const row = (await sql.getTask.get(id)) as TaskRow | undefined;
      return row ? task(codec, row) : null;
    },
  }),

  getTasks: op({
    kind: 'read',
    input: s.listTasksInput,
    async run({ sql, codec }, { status, assignedTo, limit, offset }): Promise<AgentTask[]> {
      const max = limit ?? null;
      const list = sql.listTasks;
      let rows: unknown[];
      if (status !== undefined && assignedTo !== undefined) rows = await list.byBoth.all(status, assignedTo, max, offset);
      else if (status !== undefined) rows = await list.byStatus.all(status, max, offset);
      else if (assignedTo !== undefined) rows = await list.byAgent.all(assignedTo, max, offset);
      else rows = await list.all.all(max, offset);
      return (rows as TaskRow[]).map((row) => task(codec, row));
    },
  }),

  saveSession: op({
    kind: 'write',
    input: s.saveSessionInput,
    run({ sql, codec }, { session: s }): string {
      const id = s.id ?? randomUUID();
      void sql.upsertSession.run(id, s.agentId, s.startedAt ?? null, s.endedAt ?? null, s.status, optionalJson(codec, s.metadata), nowSeconds());
      return id;
    },
  }),

  endSession: op({
    kind: 'write',
    input: s.endSessionInput,
    async run({ sql }, { id, status, endedAt }): Promise<void> {
      if (Number((await sql.endSession.run(status, endedAt ?? nowSeconds(), id)).changes) === 0) throw notFound('session', id);
    },
  }),

  /** store.cleanup's share: sessions that ended before `before`, and their events. */
  cleanupRetention: op({
    kind: 'write',
    input: s.retentionInput,
    async run({ sql }, { before, statuses }): Promise<number> {
      const endedBefore = Math.floor(before.getTime() / 1000);
      const list = JSON.stringify(statuses);
      void sql.deleteEndedSessionEvents.run(endedBefore, list);
      return Number((await sql.deleteEndedSessions.run(endedBefore, list)).changes);
    },
  }),

  getSession: op({
    kind: 'read',
    input: s.idInput,
    async run({ sql, codec }, { id }): Promise<AgentSession | null> {
      const row = (await sql.getSession.get(id)) as SessionRow | undefined;
      return row ? session(codec, row) : null;
    },
  }),

  getSessions: op({
    kind: 'read',
    input: s.listSessionsInput,
    async run({ sql, codec }, { status, agentId, limit, offset }): Promise<AgentSession[]> {
      const max = limit ?? null;
      const list = sql.listSessions;
      let rows: unknown[];
      if (status !== undefined && agentId !== undefined) rows = await list.byBoth.all(status, agentId, max, offset);
      else if (status !== undefined) rows = await list.byStatus.all(status, max, offset);
      else if (agentId !== undefined) rows = await list.byAgent.all(agentId, max, offset);
      else rows = await list.all.all(max, offset);
      return (rows as SessionRow[]).map((row) => session(codec, row));
    },
  }),

  getMigrationHistory: op({
    kind: 'read',
    input: s.emptyInput,
    async run({ sql }): Promise<MigrationRecord[]> {
      return ((await sql.migrationHistory.all()) as MigrationRow[]).map((row) => ({
        version: row.version,
        name: row.name,
        description: row.description,
        appliedAt: Math.floor(fromSqlTime(row.applied_at).getTime() / 1000),
      }));
    },
  }),
};
