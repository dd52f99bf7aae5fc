/** Everything that crosses a thread boundary. Only names and bound values travel: never SQL. */
import type { ErrorData } from '../errors.ts';

export interface WireOp {
  readonly name: string;
  readonly input: unknown;
}

export type OpResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ErrorData };

/**
 * A batch's results, compact: `values[i]` is what operation i returned (the array is
 * absent when none returned anything, as for most writes) and `errors[i]` is set when it
 * failed (absent when none did). One small object per batch, not one per operation:
 * posting many small objects is what made result messages slow.
 */
export interface Outcome {
  readonly values?: unknown[];
  readonly errors?: (ErrorData | null)[];
}

/** Builds an {@link Outcome} for a batch of `size` operations. */
export class OutcomeBuilder {
  readonly #size: number;
  #values: unknown[] | undefined;
  #errors: (ErrorData | null)[] | undefined;

  constructor(size: number) {
    this.#size = size;
  }

  add(index: number, result: OpResult): void {
    if (!result.ok) (this.#errors ??= new Array<ErrorData | null>(this.#size).fill(null))[index] = result.error;
    else if (result.value !== undefined) (this.#values ??= new Array<unknown>(this.#size))[index] = result.value;
  }

  build(): Outcome {
    return { values: this.#values, errors: this.#errors };
  }

  /** Every operation failed with the same error. */
  static failed(size: number, error: ErrorData): Outcome {
    return { errors: new Array<ErrorData | null>(size).fill(error) };
  }
}

/** A reader task: one Piscina task carries every read issued in one turn. */
export interface ReadTask { readonly ops: readonly WireOp[] }
export interface ReadTaskResult { readonly outcome: Outcome; readonly busyRetries: number }

export type ToWriter =
  | { readonly t: 'batch'; readonly id: number; readonly ops: readonly WireOp[]; readonly tx?: number; readonly standalone?: boolean }
  | { readonly t: 'begin'; readonly id: number; readonly tx: number; readonly timeoutMs: number }
  | { readonly t: 'end'; readonly id: number; readonly tx: number; readonly commit: boolean }
  | { readonly t: 'close'; readonly id: number };

export type FromWriter =
  | { readonly t: 'ready'; readonly applied: number[] }
  | { readonly t: 'results'; readonly id: number; readonly outcome: Outcome; readonly commitMs: number; readonly busyRetries: number }
  | { readonly t: 'done'; readonly id: number; readonly error?: ErrorData }
  | { readonly t: 'fatal'; readonly error: ErrorData };
