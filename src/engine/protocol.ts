/** Everything that crosses a thread boundary. Only names and bound values travel: never SQL. */
import { DefaultSerializer } from 'node:v8';
import { jsonCharsDecoded } from '../codec.ts';
import type { ErrorData } from '../errors.ts';

export interface WireOp {
  readonly name: string;
  readonly input: unknown;
}

const STRING = 0;
const NUMBER = 1;
const NULL = 2;
/** In `PackedOps.shape`, a value count that says the input travels as it is, in `inputs`. */
const AS_IS = -1;

/**
 * A batch's operations as they travel. A structured clone pays for every value it
 * copies, and a save sends fourteen: a batch of 32 saves cost the writer 28 µs to
 * receive, about a twentieth of its time per batch with durability 'full'. So an
 * operation whose input is a flat array of strings, numbers and nulls (the values a
 * schema's transform laid out for binding) travels packed: every name and string joined
 * into one text, each value's kind in one byte, and each number, or string's length, in
 * one Float64Array. The same 32 saves then take 10 µs to receive, and no longer to send
 * (15 µs). Any other input travels as it is, in `inputs`.
 */
export interface PackedOps {
  readonly text: string;
  /** Per operation: the length of its name, then how many values it packed, or AS_IS. */
  readonly shape: Int32Array;
  readonly kinds: Uint8Array;
  readonly numbers: Float64Array;
  readonly inputs: unknown[];
}

/**
 * The most characters one batch packs: V8 strings stop at about 2^29, and a batch of large
 * values is dominated by copying them anyway. Operations past it travel as they are.
 */
export const MAX_PACKED_TEXT = 1 << 26;

/** The total length of the strings in a flat array of strings, numbers and nulls; -1 for any other input. */
function packedLength(input: unknown): number {
  if (!Array.isArray(input)) return -1;
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const value: unknown = input[i];
    if (typeof value === 'string') length += value.length;
    else if (value !== null && typeof value !== 'number') return -1;
  }
  return length;
}

export function packOps(ops: readonly WireOp[]): PackedOps {
  const packs = new Array<boolean>(ops.length);
  let textLength = 0;
  let count = 0;
  for (let i = 0; i < ops.length; i++) {
    const { name, input } = ops[i]!;
    textLength += name.length;
    const length = packedLength(input);
    packs[i] = length >= 0 && textLength + length <= MAX_PACKED_TEXT;
    if (packs[i]) {
      textLength += length;
      count += (input as unknown[]).length;
    }
  }
  const shape = new Int32Array(ops.length * 2);
  const kinds = new Uint8Array(count);
  const numbers = new Float64Array(count);
  const inputs: unknown[] = [];
  // Joined once at the end: appending 100,000 short strings one by one builds a deep rope
  // that costs several times more to build and flatten (33 ms against 6 for 20,000 jobs).
  const parts: string[] = [];
  let v = 0;
  for (let i = 0; i < ops.length; i++) {
    const { name, input } = ops[i]!;
    parts.push(name);
    shape[2 * i] = name.length;
    if (!packs[i]) {
      shape[2 * i + 1] = AS_IS;
      inputs.push(input);
      continue;
    }
    const values = input as readonly (string | number | null)[];
    shape[2 * i + 1] = values.length;
    for (let j = 0; j < values.length; j++, v++) {
      const value = values[j];
      if (typeof value === 'string') {
        kinds[v] = STRING;
        numbers[v] = value.length;
        parts.push(value);
      } else if (typeof value === 'number') {
        kinds[v] = NUMBER;
        numbers[v] = value;
      } else {
        kinds[v] = NULL;
      }
    }
  }
  return { text: parts.join(''), shape, kinds, numbers, inputs };
}

export function unpackOps(packed: PackedOps): WireOp[] {
  const { text, shape, kinds, numbers, inputs } = packed;
  const ops = new Array<WireOp>(shape.length / 2);
  let at = 0;
  let v = 0;
  let next = 0;
  for (let i = 0; i < ops.length; i++) {
    const name = text.slice(at, (at += shape[2 * i]!));
    const count = shape[2 * i + 1]!;
    if (count === AS_IS) {
      ops[i] = { name, input: inputs[next++] };
      continue;
    }
    const input = new Array<string | number | null>(count);
    for (let j = 0; j < count; j++, v++) {
      const kind = kinds[v];
      input[j] = kind === STRING ? text.slice(at, (at += numbers[v]!)) : kind === NUMBER ? numbers[v]! : null;
    }
    ops[i] = { name, input };
  }
  return ops;
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
  /** Each of `values` is one value serialized on its own ({@link serializeValue}); see {@link LARGE_RESULT_CHARS}. */
  readonly serialized?: true;
}

/**
 * JSON characters decoded for one read task past which its values travel serialized one
 * by one. A message is deserialized all at once, before any of the caller's code runs:
 * sixteen decoded ~200 KB values in one answer held the caller's event loop for 40 ms.
 * Serialized apart, each is deserialized when its turn to settle comes, and the caller's
 * thread runs timers and I/O in between (see settle in batcher.ts). Below the mark one
 * message costs less than a value each.
 */
export const LARGE_RESULT_CHARS = 64 * 1024;

/**
 * A Buffer is written as the Uint8Array that crossing a thread makes of it otherwise
 * (pg returns bytea as Buffers), so that a value reads the same whichever way it came.
 */
class WireSerializer extends DefaultSerializer {
  // Node's hook for objects V8 leaves to it (typed arrays among them); @types/node leaves it out.
  _writeHostObject(object: object): void {
    const write = (DefaultSerializer.prototype as unknown as { _writeHostObject(object: object): void })._writeHostObject;
    write.call(this, Buffer.isBuffer(object) ? new Uint8Array(object.buffer, object.byteOffset, object.byteLength) : object);
  }
}

/** One value as bytes, in the form structured clone gives threads; read back with `deserialize` from node:v8. */
export function serializeValue(value: unknown): Uint8Array {
  const serializer = new WireSerializer();
  serializer.writeHeader();
  serializer.writeValue(value);
  return serializer.releaseBuffer();
}

/** Builds an {@link Outcome} for a batch of `size` operations. */
export class OutcomeBuilder {
  readonly #size: number;
  /** For a read task, {@link jsonCharsDecoded} when it began; undefined for a writer's batch. */
  readonly #decodedBefore: number | undefined;
  #values: unknown[] | undefined;
  #errors: (ErrorData | null)[] | undefined;
  #serialized = false;

  constructor(size: number, decodedBefore?: number) {
    this.#size = size;
    this.#decodedBefore = decodedBefore;
  }

  /**
   * For a read task: once its values have decoded more than LARGE_RESULT_CHARS of JSON,
   * each is serialized on its own (those already here at once, each later one as it comes),
   * so a decoded value dies young instead of living, with all the others, until the answer
   * is built. Counted across the thread's tasks running at once: a task may be serialized
   * that need not be, never the reverse.
   */
  static forReadTask(size: number): OutcomeBuilder {
    return new OutcomeBuilder(size, jsonCharsDecoded());
  }

  add(index: number, result: OpResult): void {
    if (!result.ok) (this.#errors ??= new Array<ErrorData | null>(this.#size).fill(null))[index] = result.error;
    else this.value(index, result.value);
  }

  /** Operation `index` returned `value`. */
  value(index: number, value: unknown): void {
    if (value === undefined) return;
    const values = (this.#values ??= new Array<unknown>(this.#size));
    if (!this.#serialized) this.#serializeIfLarge();
    values[index] = this.#serialized ? serializeValue(value) : value;
  }

  build(): Outcome {
    if (!this.#serialized) this.#serializeIfLarge();
    return this.#serialized ? { values: this.#values, errors: this.#errors, serialized: true } : { values: this.#values, errors: this.#errors };
  }

  #serializeIfLarge(): void {
    if (this.#decodedBefore === undefined || jsonCharsDecoded() - this.#decodedBefore <= LARGE_RESULT_CHARS) return;
    this.#serialized = true;
    const values = this.#values;
    if (values) for (let i = 0; i < values.length; i++) if (values[i] !== undefined) values[i] = serializeValue(values[i]);
  }

  /** Every operation failed with the same error. */
  static failed(size: number, error: ErrorData): Outcome {
    return { errors: new Array<ErrorData | null>(size).fill(error) };
  }
}

/**
 * What a reader thread posts, with its `threadId`, once it can take reads at once: until
 * the first does, the writer serves them; until each does, it is given none (see ReaderClient).
 */
export const READER_READY = 'flowstore-reader-ready';
export interface ReaderReady { readonly t: typeof READER_READY; readonly threadId: number }

/** A reader task: one Piscina task carries every read issued in one turn. */
export interface ReadTask { readonly ops: readonly WireOp[] }
export interface ReadTaskResult { readonly outcome: Outcome; readonly busyRetries: number }

export type ToWriter =
  /** `standalone`: each operation outside any transaction (VACUUM; reads while no reader has started). */
  | { readonly t: 'batch'; readonly id: number; readonly ops: PackedOps; readonly tx?: number; readonly standalone?: boolean }
  | { readonly t: 'begin'; readonly id: number; readonly tx: number; readonly timeoutMs: number }
  | { readonly t: 'end'; readonly id: number; readonly tx: number; readonly commit: boolean }
  | { readonly t: 'close'; readonly id: number }
  /** Relay the backend's notifications of `topic` from other processes as `event` messages (where it has any). */
  | { readonly t: 'listen'; readonly id: number; readonly topic: string };

export type FromWriter =
  | { readonly t: 'ready'; readonly applied: number[] }
  | { readonly t: 'results'; readonly id: number; readonly outcome: Outcome; readonly commitMs: number; readonly busyRetries: number }
  | { readonly t: 'done'; readonly id: number; readonly error?: ErrorData }
  | { readonly t: 'fatal'; readonly error: ErrorData }
  /** Another process wrote something of `topic` (its payload says what); null: anything may have happened, look. */
  | { readonly t: 'event'; readonly topic: string; readonly payload: string | null };
