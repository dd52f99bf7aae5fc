/**
 * Reading what LangGraph passes the saver: a RunnableConfig's `configurable` (thread_id,
 * checkpoint_ns, checkpoint_id) checked by hand, not by a schema, because `configurable`
 * also carries LangGraph's own objects (callbacks, the checkpointer itself) that must not be walked.
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import { FlowstoreError } from '../errors.ts';
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH } from '../domains/common.ts';

export function invalid(field: string, message: string): FlowstoreError {
  return new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${field}: ${message}`, { details: { field } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idAt(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw invalid(field, `must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  return value;
}

/** What a config names; `threadId` undefined when it names none. */
export interface Target {
  threadId: string | undefined;
  checkpointNs: string | undefined;
  checkpointId: string | undefined;
}

/** The target of `config`, each given field checked; `name` prefixes the field names (config, options.before). */
export function targetOf(config: RunnableConfig | undefined, name = 'config'): Target {
  if (config !== undefined && !isRecord(config)) throw invalid(name, 'must be a RunnableConfig object');
  const configurable: unknown = config?.configurable;
  if (configurable === undefined) return { threadId: undefined, checkpointNs: undefined, checkpointId: undefined };
  if (!isRecord(configurable)) throw invalid(`${name}.configurable`, 'must be an object');
  const { thread_id: thread, checkpoint_ns: ns } = configurable;
  // LangGraph's getCheckpointId: checkpoint_id, or the older thread_ts.
  const id = configurable.checkpoint_id || configurable.thread_ts || undefined;
  if (ns !== undefined && (typeof ns !== 'string' || ns.length > MAX_TEXT_LENGTH)) {
    throw invalid(`${name}.configurable.checkpoint_ns`, `must be a string of at most ${MAX_TEXT_LENGTH} characters`);
  }
  return {
    threadId: thread === undefined || thread === null ? undefined : idAt(thread, `${name}.configurable.thread_id`),
    checkpointNs: ns as string | undefined,
    checkpointId: id === undefined ? undefined : idAt(id, `${name}.configurable.${configurable.checkpoint_id ? 'checkpoint_id' : 'thread_ts'}`),
  };
}

/** A target that must have a thread (put, putWrites). */
export function threadTarget(config: RunnableConfig): Target & { threadId: string } {
  if (!isRecord(config) || !isRecord(config.configurable)) throw invalid('config.configurable', 'is required, with a thread_id');
  const target = targetOf(config);
  if (target.threadId === undefined) throw invalid('config.configurable.thread_id', 'is required');
  return target as Target & { threadId: string };
}

export function checkedId(value: unknown, field: string): string {
  return idAt(value, field);
}

export function checkedRecord(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalid(field, 'must be an object');
  return value;
}
