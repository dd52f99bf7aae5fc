/** Everything that crosses a thread boundary. Only names and bound values travel: never SQL. */
import type { ErrorData } from '../errors.ts';

export interface WireOp {
  readonly name: string;
  readonly input: unknown;
}

export type OpResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ErrorData };

/** A reader task: one Piscina task carries every read issued in one turn. */
export interface ReadTask { readonly ops: readonly WireOp[] }
export interface ReadTaskResult { readonly results: OpResult[]; readonly busyRetries: number }

export type ToWriter =
  | { readonly t: 'batch'; readonly id: number; readonly ops: readonly WireOp[]; readonly tx?: number; readonly standalone?: boolean }
  | { readonly t: 'begin'; readonly id: number; readonly tx: number; readonly timeoutMs: number }
  | { readonly t: 'end'; readonly id: number; readonly tx: number; readonly commit: boolean }
  | { readonly t: 'close'; readonly id: number };

export type FromWriter =
  | { readonly t: 'ready'; readonly applied: number[] }
  | { readonly t: 'results'; readonly id: number; readonly results: OpResult[]; readonly commitMs: number; readonly busyRetries: number }
  | { readonly t: 'done'; readonly id: number; readonly error?: ErrorData }
  | { readonly t: 'fatal'; readonly error: ErrorData };
