/** Runs one filtered list: allow-listed columns from the zod-checked filter, every value bound. */
import type { SQLInputValue } from 'node:sqlite';
import { toSqlTime } from '../../codec.ts';
import { isSqliteError, notFound } from '../../errors.ts';
import type { FilterInput } from './schema.ts';
import type { AaowStatements, ListSpec } from './sql.ts';

function bindable(kind: string, value: unknown): SQLInputValue {
  if (kind === 'time') return toSqlTime(value as Date);
  if (kind === 'bool') return value ? 1 : 0;
  return value as SQLInputValue;
}

export function listRows(sql: AaowStatements, spec: ListSpec, base: readonly SQLInputValue[], filter: FilterInput): Record<string, unknown>[] {
  const where: { column: string; isNull: boolean }[] = [];
  const params: SQLInputValue[] = [...base];
  const given = (filter.where ?? {}) as Record<string, unknown>;
  // The spec's field order, not the caller's key order, so each combination has one cached statement.
  for (const [field, { column, kind }] of Object.entries(spec.fields)) {
    const value = given[field];
    if (value === undefined) continue;
    where.push({ column, isNull: value === null });
    if (value !== null) params.push(bindable(kind, value));
  }
  const order = filter.orderBy ? { column: spec.fields[filter.orderBy.field]!.column, desc: filter.orderBy.direction === 'desc' } : undefined;
  params.push(filter.limit ?? -1, filter.offset ?? 0);
  return sql.list(spec, where, order).all(...params) as Record<string, unknown>[];
}

const SQLITE_CONSTRAINT_FOREIGNKEY = 787;

/** A row that points at a missing parent is reported as that parent not found, not as a conflict. */
export function withParent<T>(what: string, id: unknown, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (isSqliteError(error) && error.errcode === SQLITE_CONSTRAINT_FOREIGNKEY) throw notFound(what, id);
    throw error;
  }
}
