/**
 * `store.agents`: agent state store (seed 004, Descartes' SqliteStateStore): agent states,
 * transitions, snapshots, searchable events, tasks, sessions, key prefixes, migration history.
 *
 * Agent states, transitions and snapshots belong to a view: `withPrefix('worker')` stores agent
 * `agent_001` under the key `worker:agent_001`, and no view sees another's. Events, tasks and
 * sessions are store-wide records that name agents by plain id, whichever view saves them.
 *
 * @example
 * ```ts
 * const workers = store.agents.withPrefix('worker');
 * await workers.saveAgentState({ agentId: 'agent_001', name: 'MyWorkerAgent', status: 'running',
 *   metadata: { type: 'worker' }, stateData: JSON.stringify({ tasksProcessed: 42 }), version: 1 });
 * await workers.updateAgentStatus('agent_001', 'paused');
 * const snapshotId = await workers.createSnapshot('agent_001', 'Stable state after iteration 100');
 * await workers.restoreSnapshot(snapshotId);
 * ```
 */
import { FlowstoreError } from '../../errors.ts';
import type { Invoker } from '../../engine/op.ts';
import { agents } from './ops.ts';
import {
  viewOptions, viewPrefix,
  type AgentEvent, type AgentState, type AgentStateInput, type AgentEventInput, type MigrationRecord, type AgentSession,
  type AgentSessionInput, type AgentSessionStatus, type AgentSnapshotInfo, type StateTransition, type AgentTask, type AgentTaskInput, type AgentTaskStatus,
} from './schema.ts';

/** Runs `fn` in one store transaction, handing it the transaction's (unprefixed) agents namespace. */
export type AgentsTransactionRunner = <T>(fn: (agents: AgentsApi) => Promise<T> | T) => Promise<T>;

export interface AgentsViewOptions {
  /**
   * Deflate `stateData` of the agents this view saves or restores (the document's optional
   * compression, off by default). Each row records whether it is compressed, so every view
   * reads both kinds.
   */
  readonly compressStateData?: boolean;
}

/** A view: which prefix its agent keys carry, and whether it compresses the state data it writes. */
export interface AgentsView extends AgentsViewOptions {
  /** '' (the default) for the store's own agents. */
  readonly prefix?: string;
}

/** Validated on the caller's thread, before any operation carries it to a worker. */
function checkedPrefix(prefix: unknown): string {
  const result = viewPrefix.safeParse(prefix);
  if (result.success) return result.data;
  throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `agents.withPrefix: prefix: ${result.error.issues[0]!.message}`, {
    details: { op: 'agents.withPrefix', field: 'prefix' },
  });
}

/**
 * The agents namespace, or one view of it (a prefix, options).
 *
 * @example
 * ```ts
 * const history = await store.agents.withPrefix('worker').getStateHistory('agent_001', 50);
 * const found = await store.agents.searchEvents('task completed');
 * await store.agents.transact(async (agents) => { await agents.saveTask({ title: 'Process batch' }); });
 * ```
 */
export class AgentsApi {
  readonly #invoker: Invoker;
  readonly #runTransaction: AgentsTransactionRunner;
  readonly #prefix: string;
  readonly #compress: boolean;

  /** Built by the store; use `store.agents`, then {@link withPrefix} and {@link withOptions} for views. */
  constructor(invoker: Invoker, runTransaction: AgentsTransactionRunner, view: AgentsView = {}) {
    this.#invoker = invoker;
    this.#runTransaction = runTransaction;
    this.#prefix = view.prefix === undefined || view.prefix === '' ? '' : checkedPrefix(view.prefix);
    this.#compress = view.compressStateData ?? false;
  }

  /** This view's prefix, '' for the store's own agents. */
  get prefix(): string {
    return this.#prefix;
  }

  /**
   * A view whose agent keys are stored as `prefix:agentId`. The prefix replaces this view's
   * (views do not nest); it must be non-empty and hold no ':' (FLOWSTORE_INVALID_ARGUMENT).
   */
  withPrefix(prefix: string): AgentsApi {
    return new AgentsApi(this.#invoker, this.#runTransaction, { prefix: checkedPrefix(prefix), compressStateData: this.#compress });
  }

  /** The same view with other options, e.g. `withOptions({ compressStateData: true })`. */
  withOptions(options: AgentsViewOptions): AgentsApi {
    const result = viewOptions.safeParse(options);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = [...issue.path.map(String), ...(issue.code === 'unrecognized_keys' ? issue.keys : [])].join('.') || 'options';
      throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `agents.withOptions: ${field}: ${issue.message}`, {
        details: { op: 'agents.withOptions', field },
      });
    }
    const compressStateData = result.data.compressStateData ?? this.#compress;
    return new AgentsApi(this.#invoker, this.#runTransaction, { prefix: this.#prefix, compressStateData });
  }

  /** Creates or replaces an agent's state (bringing back a soft-deleted one); `version` is stored as given (1 by default). */
  saveAgentState(state: AgentStateInput): Promise<void> {
    return this.#invoker.invoke(agents.ops.saveAgentState, { prefix: this.#prefix, state, compress: this.#compress });
  }

  /** The agent's state, or `null` when there is none or it was deleted. */
  loadAgentState(agentId: string): Promise<AgentState | null> {
    return this.#invoker.invoke(agents.ops.loadAgentState, { prefix: this.#prefix, agentId });
  }

  /** This view's live (not deleted) agents, by agent id. */
  listAgents(filter: { status?: string; limit?: number; offset?: number } = {}): Promise<AgentState[]> {
    return this.#invoker.invoke(agents.ops.listAgents, { prefix: this.#prefix, ...filter });
  }

  /** Sets a live agent's status; FLOWSTORE_NOT_FOUND when there is none. */
  updateAgentStatus(agentId: string, status: string): Promise<void> {
    return this.#invoker.invoke(agents.ops.updateAgentStatus, { prefix: this.#prefix, agentId, status });
  }

  /** Soft delete: the row stays (with its history) but no read returns it; `true` when it was live. */
  deleteAgentState(agentId: string): Promise<boolean> {
    return this.#invoker.invoke(agents.ops.deleteAgentState, { prefix: this.#prefix, agentId });
  }

  /** Appends to the agent's history; returns the transition's id. */
  recordStateTransition(agentId: string, stateBefore: string, stateAfter: string, reason?: string | null, metadata?: unknown): Promise<string> {
    return this.#invoker.invoke(agents.ops.recordStateTransition, { prefix: this.#prefix, agentId, stateBefore, stateAfter, reason, metadata });
  }

  /** The agent's last `limit` transitions (100 by default), newest first. */
  getStateHistory(agentId: string, limit?: number): Promise<StateTransition[]> {
    return this.#invoker.invoke(agents.ops.getStateHistory, { prefix: this.#prefix, agentId, limit });
  }

  /**
   * Checkpoints the agent's current state; returns the snapshot's id. A snapshot with
   * `expiresAt` (Unix seconds) is no longer listed nor restorable from that time on.
   */
  createSnapshot(agentId: string, description?: string | null, options: { expiresAt?: number | null } = {}): Promise<string> {
    return this.#invoker.invoke(agents.ops.createSnapshot, { prefix: this.#prefix, agentId, description, expiresAt: options.expiresAt });
  }

  /** The agent's unexpired snapshots, newest first. */
  listSnapshots(agentId: string): Promise<AgentSnapshotInfo[]> {
    return this.#invoker.invoke(agents.ops.listSnapshots, { prefix: this.#prefix, agentId });
  }

  /**
   * Puts the agent back to the snapshotted state and records a transition saying so; returns the
   * restored state. FLOWSTORE_NOT_FOUND for an unknown, expired or other view's snapshot.
   */
  restoreSnapshot(snapshotId: string): Promise<AgentState> {
    return this.#invoker.invoke(agents.ops.restoreSnapshot, { prefix: this.#prefix, snapshotId, compress: this.#compress });
  }

  /** Deletes this view's expired snapshots; returns how many. */
  cleanupExpiredSnapshots(): Promise<number> {
    return this.#invoker.invoke(agents.ops.cleanupExpiredSnapshots, { prefix: this.#prefix });
  }

  /** Stores an event (id generated when absent, timestamp now when absent); returns its id. */
  saveEvent(event: AgentEventInput): Promise<string> {
    return this.#invoker.invoke(agents.ops.saveEvent, { event });
  }

  /** A session's events, oldest first. */
  getEvents(sessionId: string): Promise<AgentEvent[]> {
    return this.#invoker.invoke(agents.ops.getEvents, { sessionId });
  }

  /** Events of one type, newest first. */
  getEventsByType(eventType: string, options: { limit?: number } = {}): Promise<AgentEvent[]> {
    return this.#invoker.invoke(agents.ops.getEventsByType, { eventType, ...options });
  }

  /**
   * Events whose content holds every word of `text` (full-text, case- and accent-insensitive),
   * best match first. The text is taken as plain words: quotes, `AND`, `*` never fail a search.
   */
  searchEvents(text: string, options: { limit?: number } = {}): Promise<AgentEvent[]> {
    return this.#invoker.invoke(agents.ops.searchEvents, { text, ...options });
  }

  /** Creates or replaces a task (id generated when absent); returns its id. */
  saveTask(task: AgentTaskInput): Promise<string> {
    return this.#invoker.invoke(agents.ops.saveTask, { task });
  }

  getTask(id: string): Promise<AgentTask | null> {
    return this.#invoker.invoke(agents.ops.getTask, { id });
  }

  /** Tasks newest first, optionally by status and assigned agent. */
  getTasks(filter: { status?: AgentTaskStatus; assignedTo?: string; limit?: number; offset?: number } = {}): Promise<AgentTask[]> {
    return this.#invoker.invoke(agents.ops.getTasks, filter);
  }

  /** Creates or replaces a session (id generated when absent, started now when not given); returns its id. */
  saveSession(session: AgentSessionInput): Promise<string> {
    return this.#invoker.invoke(agents.ops.saveSession, { session });
  }

  /** Ends a session (status `completed` and now by default); FLOWSTORE_NOT_FOUND when there is none. */
  endSession(id: string, options: { status?: AgentSessionStatus; endedAt?: number } = {}): Promise<void> {
    return this.#invoker.invoke(agents.ops.endSession, { id, ...options });
  }

  getSession(id: string): Promise<AgentSession | null> {
    return this.#invoker.invoke(agents.ops.getSession, { id });
  }

  /** Sessions most recently started first, optionally by status and agent. */
  getSessions(filter: { status?: AgentSessionStatus; agentId?: string; limit?: number; offset?: number } = {}): Promise<AgentSession[]> {
    return this.#invoker.invoke(agents.ops.getSessions, filter);
  }

  /** Every migration the store has applied, all domains, in order. */
  getMigrationHistory(): Promise<MigrationRecord[]> {
    return this.#invoker.invoke(agents.ops.getMigrationHistory, {});
  }

  /**
   * Runs `fn` in one store transaction with this view (same prefix and options) bound to it:
   * everything it writes commits together, or nothing when it throws.
   */
  transact<T>(fn: (agents: AgentsApi) => Promise<T> | T): Promise<T> {
    const view: AgentsView = { prefix: this.#prefix, compressStateData: this.#compress };
    return this.#runTransaction((txAgents) => fn(new AgentsApi(txAgents.#invoker, txAgents.#runTransaction, view)));
  }
}
