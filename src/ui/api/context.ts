/** What every API handler is given, and the parsing of its query parameters. */
import { invalidArgument } from '../../errors.ts';
import type { Store } from '../../store.ts';
import type { Sampler } from '../sampler.ts';

export interface ApiContext {
  readonly store: Store;
  readonly sampler: Sampler;
  readonly params: URLSearchParams;
}

/** A handler answers one GET path with a JSON-able body; a FlowstoreError becomes its HTTP status. */
export type Handler = (ctx: ApiContext) => Promise<unknown>;

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 200;

/** A non-negative integer parameter, `fallback` when absent; anything else is FLOWSTORE_INVALID_ARGUMENT. */
export function intParam(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) > max) throw invalidArgument(name, `must be an integer from 0 to ${max}`);
  return Number(raw);
}

/** A text parameter; `undefined` when absent or empty. */
export function textParam(params: URLSearchParams, name: string): string | undefined {
  const raw = params.get(name);
  return raw === null || raw === '' ? undefined : raw;
}

/** A parameter that is one of `values`; `undefined` when absent or empty. */
export function oneOfParam<V extends string>(params: URLSearchParams, name: string, values: readonly V[]): V | undefined {
  const value = textParam(params, name);
  if (value !== undefined && !(values as readonly string[]).includes(value)) throw invalidArgument(name, `must be one of ${values.join(', ')}`);
  return value as V | undefined;
}

export function requiredParam(params: URLSearchParams, name: string): string {
  const value = textParam(params, name);
  if (value === undefined) throw invalidArgument(name, 'is required');
  return value;
}

/** `page` and `limit`, as the offset and limit of a listing (one more row is asked for, to know if there is a next page). */
export function paging(params: URLSearchParams): { page: number; limit: number; offset: number } {
  const limit = Math.max(1, intParam(params, 'limit', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE));
  const page = intParam(params, 'page', 0, 1_000_000);
  return { page, limit, offset: page * limit };
}

/** The first `limit` of `rows` (fetched with limit + 1), and whether there were more. */
export function pageOf<T>(rows: T[], limit: number): { items: T[]; more: boolean } {
  return { items: rows.slice(0, limit), more: rows.length > limit };
}

/** An area's GET paths and their handlers; routes.ts joins every area's. */
export type Routes = Readonly<Record<string, Handler>>;
