/**
 * An operation is data: a name, whether it reads or writes, a zod input schema and
 * a handler. The façade validates with the schema and routes by kind; the workers
 * look the handler up by name. SQL never leaves the domain that owns it.
 */
import type { z } from 'zod';
import type { Codec } from '../codec.ts';
import { FlowstoreError } from '../errors.ts';

export type OpKind = 'read' | 'write';

/**
 * What each backend hands a domain to prepare its statements on, by the backend's name.
 * Empty here: each backend adds itself where its connection is declared, so the engine
 * names none of them.
 *
 * @example
 * ```ts
 * declare module '../../engine/op.ts' {
 *   interface Connections { sqlite: DatabaseSync }
 * }
 * ```
 */
export interface Connections {}

/** The name of a backend a store can run on. */
export type BackendName = keyof Connections & string;

/** A value a handler may return either at once (SQLite) or later (PostgreSQL). */
export type Awaitable<T> = T | Promise<T>;

/**
 * `fn` of a statement's result, at once when the result is there (SQLite), later when it
 * is a promise (PostgreSQL): a hot read keeps SQLite's synchronous path, with no promise.
 */
export function after<T, R>(value: Awaitable<T>, fn: (value: T) => R): Awaitable<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/**
 * What every backend's prepared statement offers, whatever the engine: node:sqlite's
 * `StatementSync` is one as it is (its results come at once), the PostgreSQL one
 * answers with promises. Handlers `await` what they need, so one handler serves both.
 */
export interface Statement {
  run(...params: any[]): Awaitable<{ readonly changes: number | bigint }>;
  get(...params: any[]): Awaitable<Record<string, any> | undefined>;
  all(...params: any[]): Awaitable<Record<string, any>[]>;
}

/** Prepares a domain's statements on one connection of each backend; every one returns the same shape. */
export type Preparers<S> = { readonly [B in BackendName]: (connection: Connections[B]) => S };

/** What a handler gets: its domain's statements prepared on its connection, and the codec. */
export interface OpContext<S> {
  readonly sql: S;
  readonly codec: Codec;
  /** True on the writer's connection (inside a transaction), false on a read-only reader. */
  readonly writable: boolean;
}

/**
 * `O` is what the caller gets; `W` what `run` returns, when a `finish` on the main
 * thread turns one into the other (otherwise the two are the same).
 */
export interface OpSpec<S, Z extends z.ZodType, O, W = O> {
  readonly kind: OpKind;
  readonly input: Z;
  /**
   * A write that SQLite refuses inside a transaction (VACUUM, a checkpoint): the writer
   * runs it alone, between batches, with no BEGIN around it. Default true.
   */
  readonly transactional?: boolean;
  /**
   * A write whose `run` sends every statement before it first awaits: the PostgreSQL
   * writer then sends the batch's next operation without waiting for this one's answers
   * (a round trip fewer per batch), and awaits them before COMMIT. A function says it of
   * each input (as `run` gets it). Default false.
   */
  readonly pipelined?: boolean | ((input: z.output<Z>) => boolean);
  /**
   * A read that opens a transaction of its own on its connection (a snapshot over several
   * statements, store.query's READ ONLY one): a PostgreSQL reader, which otherwise
   * pipelines many reads on one connection, runs it there alone. Default false.
   */
  readonly alone?: boolean;
  /**
   * Runs on a worker thread, inside the batch's transaction for a write. It may be async
   * (awaiting a statement's rows); a write that needs no result returns without awaiting,
   * which lets the PostgreSQL writer pipeline a whole batch in one round trip.
   */
  readonly run: (ctx: OpContext<S>, input: z.output<Z>) => W | Promise<W>;
  /**
   * Runs on the main thread, on what `run` returned, before the caller gets it. What
   * crosses a thread is cheapest as flat arrays and strings: a row's columns and its small
   * JSON texts, parsed here, cross about three times faster than the objects built from
   * them would (see codec.ts `toWireJson`). Large values are still decoded in `run`.
   */
  readonly finish?: (wire: W) => O;
}

export interface Op<S = unknown, Z extends z.ZodType = z.ZodType, O = unknown, W = any> extends OpSpec<S, Z, O, W> {
  /** `domain.operation`, the key workers dispatch on. */
  readonly name: string;
}

/** Binds the statements type once per domain file: `const op = opsOf<Statements>()`. */
export function opsOf<S>() {
  function op<Z extends z.ZodType, O, W>(spec: OpSpec<S, Z, O, W> & { readonly finish: (wire: W) => O }): OpSpec<S, Z, O, W>;
  function op<Z extends z.ZodType, O>(spec: OpSpec<S, Z, O>): OpSpec<S, Z, O>;
  function op(spec: OpSpec<S, z.ZodType, unknown, unknown>): OpSpec<S, z.ZodType, unknown, unknown> {
    return spec;
  }
  return op;
}

type Named<S, Specs> = { readonly [K in keyof Specs]: Specs[K] extends OpSpec<S, infer Z, infer O, infer W> ? Op<S, Z, O, W> : never };

export interface Domain<S = unknown, Specs = Record<string, OpSpec<S, z.ZodType, unknown, any>>> {
  readonly name: string;
  /** Prepares every statement of the domain on one connection, once, when the worker starts. */
  readonly prepare: Preparers<S>;
  readonly ops: Named<S, Specs>;
}

export function defineDomain<S, Specs extends Record<string, OpSpec<S, z.ZodType, unknown, any>>>(
  name: string,
  prepare: Preparers<S>,
  specs: Specs,
): Domain<S, Specs> {
  const ops: Record<string, Op<S>> = {};
  for (const [key, spec] of Object.entries(specs)) ops[key] = Object.freeze({ ...spec, name: `${name}.${key}` });
  return Object.freeze({ name, prepare, ops: Object.freeze(ops) as Named<S, Specs> });
}

/**
 * What a domain's API calls to run an operation: validates `input` against the op's
 * schema on the caller's thread, then sends it to a reader or to the writer.
 */
export interface Invoker {
  invoke<Z extends z.ZodType, O, W>(op: Op<never, Z, O, W> | Op<any, Z, O, W>, input: z.input<Z>): Promise<O>;
}

/** Validates `input` against the op's schema; the error names the field. */
export function validate<Z extends z.ZodType>(op: Op<any, Z, unknown>, input: unknown): z.output<Z> {
  const result = op.input.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys.join(','));
  const field = path.join('.') || 'input';
  throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${op.name}: ${field}: ${issue.message}`, {
    details: { op: op.name, field, issues: result.error.issues },
  });
}
