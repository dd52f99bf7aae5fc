/** Events (with full-text search), tasks, sessions and the migration history: store-wide, not prefix-scoped. */
import { randomUUID } from 'node:crypto';
import type { Codec } from '../../codec.ts';
import { fromSqlTime } from '../../codec.ts';
import { notFound } from '../../errors.ts';
import { opsOf } from '../../engine/op.ts';
import {
  emptyInput, endSessionInput, eventTypeInput, idInput, listSessionsInput, listTasksInput, saveEventInput, saveSessionInput,
  retentionInput, saveTaskInput, searchInput, sessionIdInput,
  type AgentEvent, type MigrationRecord, type AgentSession, type AgentSessionStatus, type AgentTask, type AgentTaskStatus,
} from './schema.ts';
import { toFtsQuery } from './search.ts';
import type { AgentsStatements, EventRow, MigrationRow, SessionRow, TaskRow } from './sql.ts';
import { nowSeconds } from './ops-state.ts';

const op = opsOf<AgentsStatements>();

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
    input: saveEventInput,
    run({ sql, codec }, { event: e }): string {
      const id = e.id ?? randomUUID();
      const now = nowSeconds();
      sql.insertEvent.run(id, e.eventType, e.timestamp ?? now, e.sessionId, e.actorType, e.actorId, e.content,
        optionalJson(codec, e.metadata), e.gitCommit ?? null, now);
      return id;
    },
  }),

  getEvents: op({
    kind: 'read',
    input: sessionIdInput,
    run({ sql, codec }, { sessionId }): AgentEvent[] {
      return (sql.eventsBySession.all(sessionId) as unknown as EventRow[]).map((row) => event(codec, row));
    },
  }),

  getEventsByType: op({
    kind: 'read',
    input: eventTypeInput,
    run({ sql, codec }, { eventType, limit }): AgentEvent[] {
      return (sql.eventsByType.all(eventType, limit ?? -1) as unknown as EventRow[]).map((row) => event(codec, row));
    },
  }),

  searchEvents: op({
    kind: 'read',
    input: searchInput,
    run({ sql, codec }, { text, limit }): AgentEvent[] {
      const query = toFtsQuery(text);
      if (query === undefined) return [];
      return (sql.searchEvents.all(query, limit) as unknown as EventRow[]).map((row) => event(codec, row));
    },
  }),

  saveTask: op({
    kind: 'write',
    input: saveTaskInput,
    run({ sql, codec }, { task: t }): string {
      const id = t.id ?? randomUUID();
      sql.upsertTask.run(id, t.title, t.description ?? null, t.status, t.assignedTo ?? null, t.createdAt ?? null,
        t.updatedAt ?? null, optionalJson(codec, t.metadata), nowSeconds());
      return id;
    },
  }),

  getTask: op({
    kind: 'read',
    input: idInput,
    run({ sql, codec }, { id }): AgentTask | null {
      const row = sql.getTask.get(id) as TaskRow | undefined;
      return row ? task(codec, row) : null;
    },
  }),

  getTasks: op({
    kind: 'read',
    input: listTasksInput,
    run({ sql, codec }, { status, assignedTo, limit, offset }): AgentTask[] {
      const max = limit ?? -1;
      const list = sql.listTasks;
      let rows: unknown[];
      if (status !== undefined && assignedTo !== undefined) rows = list.byBoth.all(status, assignedTo, max, offset);
      else if (status !== undefined) rows = list.byStatus.all(status, max, offset);
      else if (assignedTo !== undefined) rows = list.byAgent.all(assignedTo, max, offset);
      else rows = list.all.all(max, offset);
      return (rows as TaskRow[]).map((row) => task(codec, row));
    },
  }),

  saveSession: op({
    kind: 'write',
    input: saveSessionInput,
    run({ sql, codec }, { session: s }): string {
      const id = s.id ?? randomUUID();
      sql.upsertSession.run(id, s.agentId, s.startedAt ?? null, s.endedAt ?? null, s.status, optionalJson(codec, s.metadata), nowSeconds());
      return id;
    },
  }),

  endSession: op({
    kind: 'write',
    input: endSessionInput,
    run({ sql }, { id, status, endedAt }): void {
      if (Number(sql.endSession.run(status, endedAt ?? nowSeconds(), id).changes) === 0) throw notFound('session', id);
    },
  }),

  /** store.cleanup's share: sessions that ended before `before`, and their events. */
  cleanupRetention: op({
    kind: 'write',
    input: retentionInput,
    run({ sql }, { before, statuses }): number {
      const endedBefore = Math.floor(before.getTime() / 1000);
      const list = JSON.stringify(statuses);
      sql.deleteEndedSessionEvents.run(endedBefore, list);
      return Number(sql.deleteEndedSessions.run(endedBefore, list).changes);
    },
  }),

  getSession: op({
    kind: 'read',
    input: idInput,
    run({ sql, codec }, { id }): AgentSession | null {
      const row = sql.getSession.get(id) as SessionRow | undefined;
      return row ? session(codec, row) : null;
    },
  }),

  getSessions: op({
    kind: 'read',
    input: listSessionsInput,
    run({ sql, codec }, { status, agentId, limit, offset }): AgentSession[] {
      const max = limit ?? -1;
      const list = sql.listSessions;
      let rows: unknown[];
      if (status !== undefined && agentId !== undefined) rows = list.byBoth.all(status, agentId, max, offset);
      else if (status !== undefined) rows = list.byStatus.all(status, max, offset);
      else if (agentId !== undefined) rows = list.byAgent.all(agentId, max, offset);
      else rows = list.all.all(max, offset);
      return (rows as SessionRow[]).map((row) => session(codec, row));
    },
  }),

  getMigrationHistory: op({
    kind: 'read',
    input: emptyInput,
    run({ sql }): MigrationRecord[] {
      return (sql.migrationHistory.all() as unknown as MigrationRow[]).map((row) => ({
        version: row.version,
        name: row.name,
        description: row.description,
        appliedAt: Math.floor(fromSqlTime(row.applied_at).getTime() / 1000),
      }));
    },
  }),
};
