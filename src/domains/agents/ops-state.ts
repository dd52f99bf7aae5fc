/** Agent states, transitions and snapshots: the prefix-scoped half of store.agents. */
import { randomUUID } from 'node:crypto';
import { bytesOf, deflate, textOf, type Codec } from '../../codec.ts';
import { notFound } from '../../errors.ts';
import { lazySchemas } from '../../engine/lazy-schemas.ts';
import { opsOf } from '../../engine/op.ts';
import { DEFAULT_COMPRESSION_LEVEL } from '../../defaults.ts';
import type * as Schemas from './schema.ts';
import type { AgentState, AgentSnapshotInfo, StateTransition } from './schema.ts';
import { keyRange, scopedKey, unscopedId } from './scope.ts';
import type { AgentRow, AgentsStatements, SnapshotRow, TransitionRow } from './statements.ts';

const op = opsOf<AgentsStatements>();
/** The inputs' schemas, loaded when one first validates (never in the worker threads). */
const s = lazySchemas<typeof Schemas>(import.meta.url, './schema');

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Compressed rows hold a deflated BLOB and say so in state_compressed, so either kind reads back. */
function encodeStateData(stateData: string, compress: boolean): [string | Uint8Array, number] {
  return compress ? [deflate(bytesOf(stateData), DEFAULT_COMPRESSION_LEVEL), 1] : [stateData, 0];
}

function decodeStateData(codec: Codec, row: AgentRow): string {
  if (row.state_compressed) return textOf(codec.decodeBytes(row.state_data, true));
  return typeof row.state_data === 'string' ? row.state_data : textOf(row.state_data);
}

function agentState(codec: Codec, prefix: string, row: AgentRow): AgentState {
  return {
    agentId: unscopedId(prefix, row.key) ?? row.key,
    name: row.name,
    status: row.status,
    metadata: codec.decodeJson(row.metadata),
    stateData: decodeStateData(codec, row),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function transition(codec: Codec, prefix: string, row: TransitionRow): StateTransition {
  return {
    id: row.id,
    agentId: unscopedId(prefix, row.agent_id) ?? row.agent_id,
    stateBefore: row.state_before,
    stateAfter: row.state_after,
    reason: row.reason,
    timestamp: row.timestamp,
    metadata: codec.decodeJson(row.metadata),
  };
}

function snapshotInfo(prefix: string, row: SnapshotRow): AgentSnapshotInfo {
  return {
    id: row.id,
    agentId: unscopedId(prefix, row.agent_id) ?? row.agent_id,
    description: row.description,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/** What a snapshot keeps: everything of the agent but its identity and times. */
interface SnapshotState {
  name: string;
  status: string;
  metadata: unknown;
  stateData: string;
  version: number;
}

export const stateOps = {
  saveAgentState: op({
    kind: 'write',
    input: s.saveAgentInput,
    // Not awaited: SQLite has saved when it returns; PostgreSQL's writer settles a batch's statements together.
    run({ sql, codec }, { prefix, state, compress }): void {
      const [data, compressed] = encodeStateData(state.stateData, compress);
      void sql.upsertAgent.run(
        scopedKey(prefix, state.agentId), state.name, state.status, codec.encodeJson(state.metadata), data, compressed,
        state.version, state.createdAt ?? null, state.updatedAt ?? null, nowSeconds(),
      );
    },
  }),

  loadAgentState: op({
    kind: 'read',
    input: s.agentIdInput,
    async run({ sql, codec }, { prefix, agentId }): Promise<AgentState | null> {
      const row = (await sql.loadAgent.get(scopedKey(prefix, agentId))) as AgentRow | undefined;
      return row ? agentState(codec, prefix, row) : null;
    },
  }),

  listAgents: op({
    kind: 'read',
    input: s.listAgentsInput,
    async run({ sql, codec }, { prefix, status, limit, offset }): Promise<AgentState[]> {
      const [from, to] = keyRange(prefix);
      const list = sql.listAgents;
      const max = limit ?? null;
      let rows: unknown[];
      if (prefix === '') rows = await (status === undefined ? list.inRoot.all(max, offset) : list.inRootByStatus.all(status, max, offset));
      else rows = await (status === undefined ? list.inPrefix.all(from, to, max, offset) : list.inPrefixByStatus.all(from, to, status, max, offset));
      return (rows as AgentRow[]).map((row) => agentState(codec, prefix, row));
    },
  }),

  updateAgentStatus: op({
    kind: 'write',
    input: s.updateStatusInput,
    async run({ sql }, { prefix, agentId, status }): Promise<void> {
      const { changes } = await sql.updateStatus.run(status, nowSeconds(), scopedKey(prefix, agentId));
      if (Number(changes) === 0) throw notFound('agent', agentId);
    },
  }),

  deleteAgentState: op({
    kind: 'write',
    input: s.agentIdInput,
    async run({ sql }, { prefix, agentId }): Promise<boolean> {
      return Number((await sql.softDelete.run(nowSeconds(), scopedKey(prefix, agentId))).changes) > 0;
    },
  }),

  recordStateTransition: op({
    kind: 'write',
    input: s.recordTransitionInput,
    run({ sql, codec }, { prefix, agentId, stateBefore, stateAfter, reason, metadata }): string {
      const id = randomUUID();
      void sql.insertTransition.run(id, scopedKey(prefix, agentId), stateBefore, stateAfter, reason ?? null, nowSeconds(),
        metadata === undefined ? null : codec.encodeJson(metadata));
      return id;
    },
  }),

  getStateHistory: op({
    kind: 'read',
    input: s.historyInput,
    async run({ sql, codec }, { prefix, agentId, limit }): Promise<StateTransition[]> {
      const rows = (await sql.history.all(scopedKey(prefix, agentId), limit)) as TransitionRow[];
      return rows.map((row) => transition(codec, prefix, row));
    },
  }),

  createSnapshot: op({
    kind: 'write',
    input: s.createSnapshotInput,
    async run({ sql, codec }, { prefix, agentId, description, expiresAt }): Promise<string> {
      const key = scopedKey(prefix, agentId);
      const row = (await sql.loadAgent.get(key)) as AgentRow | undefined;
      if (!row) throw notFound('agent', agentId);
      const state = agentState(codec, prefix, row);
      const kept: SnapshotState = { name: state.name, status: state.status, metadata: state.metadata, stateData: state.stateData, version: state.version };
      const id = randomUUID();
      void sql.insertSnapshot.run(id, key, codec.encodeJson(kept), description ?? null, nowSeconds(), expiresAt ?? null);
      return id;
    },
  }),

  listSnapshots: op({
    kind: 'read',
    input: s.agentIdInput,
    async run({ sql }, { prefix, agentId }): Promise<AgentSnapshotInfo[]> {
      const rows = (await sql.listSnapshots.all(scopedKey(prefix, agentId), nowSeconds())) as SnapshotRow[];
      return rows.map((row) => snapshotInfo(prefix, row));
    },
  }),

  restoreSnapshot: op({
    kind: 'write',
    input: s.snapshotIdInput,
    async run({ sql, codec }, { prefix, snapshotId, compress }): Promise<AgentState> {
      const now = nowSeconds();
      const snapshot = (await sql.loadSnapshot.get(snapshotId, now)) as SnapshotRow | undefined;
      // Another view's snapshot is as absent as an expired or unknown one.
      const agentId = snapshot && unscopedId(prefix, snapshot.agent_id);
      if (!snapshot || agentId === undefined) throw notFound('snapshot', snapshotId);
      const kept = codec.decodeJson(snapshot.state_data) as SnapshotState;
      const current = (await sql.loadAgent.get(snapshot.agent_id)) as AgentRow | undefined;
      const [data, compressed] = encodeStateData(kept.stateData, compress);
      void sql.upsertAgent.run(snapshot.agent_id, kept.name, kept.status, codec.encodeJson(kept.metadata), data, compressed,
        kept.version, null, null, now);
      const before = current
        ? JSON.stringify({ status: current.status, version: current.version, stateData: decodeStateData(codec, current) })
        : 'null';
      const after = JSON.stringify({ status: kept.status, version: kept.version, stateData: kept.stateData });
      void sql.insertTransition.run(randomUUID(), snapshot.agent_id, before, after, `Restored from snapshot ${snapshotId}`, now,
        codec.encodeJson({ snapshotId }));
      // Read back after the writes: on PostgreSQL the reply comes once the writes before it have run.
      return agentState(codec, prefix, (await sql.loadAgent.get(snapshot.agent_id)) as AgentRow);
    },
  }),

  cleanupExpiredSnapshots: op({
    kind: 'write',
    input: s.prefixInput,
    async run({ sql }, { prefix }): Promise<number> {
      const { inRoot, inPrefix } = sql.deleteExpiredSnapshots;
      const result = await (prefix === '' ? inRoot.run(nowSeconds()) : inPrefix.run(...keyRange(prefix), nowSeconds()));
      return Number(result.changes);
    },
  }),
};
