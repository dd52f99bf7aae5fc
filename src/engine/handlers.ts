/**
 * Every domain's operations on one connection of one backend. A thread loads a domain's
 * module the first time one of its operations arrives ({@link loadDomainsOf}), and each
 * connection prepares that domain's statements once, on the first lookup of one of its
 * operations: a thread that only ever reads runs pays for nothing else.
 */
import type { Codec } from '../codec.ts';
import { FlowstoreError, toErrorData, type DriverErrors } from '../errors.ts';
import { DOMAIN_LOADERS } from '../domains/index.ts';
import type { BackendName, Domain, Op, OpContext } from './op.ts';
import type { OpResult } from './protocol.ts';

/** The domains this thread has loaded, and the operations they declare, by name. */
const LOADED = new Map<string, Domain<unknown>>();
const OPS = new Map<string, Op>();
/** A domain whose module failed to load: its operations fail with this error. */
const FAILED = new Map<string, unknown>();
const LOADING = new Map<string, Promise<void>>();

const domainOf = (name: string) => name.slice(0, name.indexOf('.'));

function load(domain: string): Promise<void> {
  let loading = LOADING.get(domain);
  if (!loading) {
    loading = DOMAIN_LOADERS[domain]!().then((loaded) => {
      LOADED.set(domain, loaded);
      for (const op of Object.values(loaded.ops) as Op[]) OPS.set(op.name, op);
    }, (error: unknown) => {
      FAILED.set(domain, error);
    });
    LOADING.set(domain, loading);
  }
  return loading;
}

/**
 * Loads the domains of these operations that this thread has not loaded yet; undefined
 * when it has them all (the hot path: no promise). Never rejects: a domain that failed to
 * load makes its operations fail when they are looked up.
 *
 * @example
 * ```ts
 * const loading = loadDomainsOf(task.ops);
 * if (loading) await loading;
 * ```
 */
export function loadDomainsOf(ops: Iterable<{ readonly name: string }>): Promise<void> | undefined {
  let pending: Promise<void>[] | undefined;
  for (const { name } of ops) {
    // The hot path: an operation this thread knows, one lookup and no string made.
    if (OPS.has(name)) continue;
    const domain = domainOf(name);
    if (LOADED.has(domain) || FAILED.has(domain) || !Object.hasOwn(DOMAIN_LOADERS, domain)) continue;
    (pending ??= []).push(load(domain));
  }
  return pending && Promise.all(pending).then(() => {});
}

/** The operation of that name, once its domain is loaded in this thread ({@link loadDomainsOf}). */
export function opNamed(name: string): Op | undefined {
  return OPS.get(name);
}

export class Handlers {
  readonly #backend: BackendName;
  readonly #connection: unknown;
  readonly #codec: Codec;
  readonly #writable: boolean;
  readonly #errors: DriverErrors;
  readonly #handlers = new Map<string, { op: Op; ctx: OpContext<unknown> }>();

  /** `errors` turns what the backend's driver throws into coded errors. */
  constructor(backend: BackendName, connection: unknown, codec: Codec, writable: boolean, errors: DriverErrors) {
    this.#backend = backend;
    this.#connection = connection;
    this.#codec = codec;
    this.#writable = writable;
    this.#errors = errors;
  }

  lookup(name: string): { op: Op; ctx: OpContext<unknown> } {
    const handler = this.#handlers.get(name) ?? this.#prepare(name);
    if (handler.op.kind === 'write' && !this.#writable) {
      throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `${name} writes and cannot run on a reader`, { details: { op: name } });
    }
    return handler;
  }

  /** Prepares the statements of the operation's domain on this connection, the first time one of its operations runs here. */
  #prepare(name: string): { op: Op; ctx: OpContext<unknown> } {
    const domainName = domainOf(name);
    if (FAILED.has(domainName)) throw FAILED.get(domainName);
    const domain = LOADED.get(domainName);
    const op = OPS.get(name);
    if (!domain || !op) throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `unknown operation ${name}`, { details: { op: name } });
    const prepare = domain.prepare[this.#backend] as (connection: unknown) => unknown;
    const ctx: OpContext<unknown> = { sql: prepare(this.#connection), codec: this.#codec, writable: this.#writable };
    for (const each of Object.values(domain.ops) as Op[]) this.#handlers.set(each.name, { op: each, ctx });
    return { op, ctx };
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
