/** Runs one filtered list: allow-listed columns from the zod-checked filter, every value bound. */
import { toSqlTime } from '../../codec.ts';
import { notFound } from '../../errors.ts';
import type { Awaitable } from '../../engine/op.ts';
import type { FilterInput } from './schema.ts';
import type { AaowStatements, FieldSpec, ListCondition, ListSpec } from './statements.ts';

function bindable(kind: FieldSpec['kind'], value: unknown): string | number {
  if (kind === 'time') return toSqlTime(value as Date);
  if (kind === 'bool') return value ? 1 : 0;
  return value as string | number;
}

/** The rows of one list, in the shape of the row type `R` of its table. */
export async function listRows<R>(sql: AaowStatements, spec: ListSpec, base: readonly string[], filter: FilterInput): Promise<R[]> {
  const where: ListCondition[] = [];
  const params: (string | number | null)[] = [...base];
  const given = (filter.where ?? {}) as Record<string, unknown>;
  // The spec's field order, not the caller's key order, so each combination has one cached statement.
  for (const [name, field] of Object.entries(spec.fields)) {
    const value = given[name];
    if (value === undefined) continue;
    where.push({ field, isNull: value === null });
    if (value !== null) params.push(bindable(field.kind, value));
  }
  const order = filter.orderBy ? { field: spec.fields[filter.orderBy.field]!, desc: filter.orderBy.direction === 'desc' } : undefined;
  params.push(filter.limit ?? null, filter.offset ?? 0);
  return (await sql.list(spec, where, order).all(...params)) as R[];
}

/** A row that points at a missing parent is reported as that parent not found, not as a conflict. */
export async function withParent<T>(sql: AaowStatements, what: string, id: unknown, write: () => Awaitable<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sql.isMissingParent(error)) throw notFound(what, id);
    throw error;
  }
}
