/**
 * Every domain's operations on one connection of one backend: the statements prepared
 * on it once, when the worker starts, and the lookup of an operation by name.
 */
import type { Codec } from '../codec.ts';
import { FlowstoreError, toErrorData, type DriverErrors } from '../errors.ts';
import { DOMAINS } from '../domains/index.ts';
import type { BackendName, Op, OpContext } from './op.ts';
import type { OpResult } from './protocol.ts';

const OPS = new Map<string, Op>(DOMAINS.flatMap((domain) => (Object.values(domain.ops) as Op[]).map((op) => [op.name, op] as const)));

/** The operation of that name, whichever domain declares it. */
export function opNamed(name: string): Op | undefined {
  return OPS.get(name);
}

export class Handlers {
  readonly #writable: boolean;
  readonly #errors: DriverErrors;
  readonly #handlers = new Map<string, { op: Op; ctx: OpContext<unknown> }>();

  /** `errors` turns what the backend's driver throws into coded errors. */
  constructor(backend: BackendName, connection: unknown, codec: Codec, writable: boolean, errors: DriverErrors) {
    this.#writable = writable;
    this.#errors = errors;
    for (const domain of DOMAINS) {
      const prepare = domain.prepare[backend] as (connection: unknown) => unknown;
      const ctx: OpContext<unknown> = { sql: prepare(connection), codec, writable };
      for (const op of Object.values(domain.ops) as Op[]) this.#handlers.set(op.name, { op, ctx });
    }
  }

  lookup(name: string): { op: Op; ctx: OpContext<unknown> } {
    const handler = this.#handlers.get(name);
    if (!handler) throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `unknown operation ${name}`, { details: { op: name } });
    if (handler.op.kind === 'write' && !this.#writable) {
      throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${name} writes and cannot run on a reader`, { details: { op: name } });
    }
    return handler;
  }

  /**
   * Runs one operation. A handler that answers at once (every SQLite statement does) is
   * settled at once, with no promise on the writer's hot path; an async one settles later.
   */
  run(name: string, input: unknown): OpResult | Promise<OpResult> {
    let value: unknown;
    try {
      const { op, ctx } = this.lookup(name);
      value = op.run(ctx, input);
    } catch (error) {
      return { ok: false, error: toErrorData(error, this.#errors) };
    }
    if (!(value instanceof Promise)) return { ok: true, value };
    return value.then((v): OpResult => ({ ok: true, value: v }), (error): OpResult => ({ ok: false, error: toErrorData(error, this.#errors) }));
  }
}
