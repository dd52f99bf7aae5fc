/**
 * What runs on a worker for FlowstoreStore: LangGraph's filter semantics (those of its
 * InMemoryStore's `compareValues`, plus `$exists`, and deep equality for an object given
 * as a value), namespace match conditions, and the text an item is found by.
 */
import { isDeepStrictEqual } from 'node:util';

type Conditions = readonly { matchType: 'prefix' | 'suffix'; path: readonly string[] }[];

function isOperators(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).some((k) => k.startsWith('$'));
}

function holds(field: unknown, present: boolean, operator: string, operand: unknown): boolean {
  switch (operator) {
    case '$eq': return isDeepStrictEqual(field, operand);
    case '$ne': return !isDeepStrictEqual(field, operand);
    case '$gt': return Number(field) > Number(operand);
    case '$gte': return Number(field) >= Number(operand);
    case '$lt': return Number(field) < Number(operand);
    case '$lte': return Number(field) <= Number(operand);
    case '$in': return (operand as unknown[]).some((v) => isDeepStrictEqual(field, v));
    case '$nin': return !(operand as unknown[]).some((v) => isDeepStrictEqual(field, v));
    case '$exists': return present === operand;
    default: return false;
  }
}

/** True when the item's value satisfies every field of `filter`. */
export function matchesFilter(value: Record<string, unknown>, filter: Record<string, unknown> | undefined): boolean {
  if (filter === undefined) return true;
  for (const [key, wanted] of Object.entries(filter)) {
    const present = Object.hasOwn(value, key);
    const field = present ? value[key] : undefined;
    if (isOperators(wanted)) {
      for (const [operator, operand] of Object.entries(wanted)) if (!holds(field, present, operator, operand)) return false;
    } else if (!present || !isDeepStrictEqual(field, wanted)) {
      return false;
    }
  }
  return true;
}

/** LangGraph's listNamespaces conditions: each label of `path` equal, or '*'. */
export function matchesConditions(labels: readonly string[], conditions: Conditions): boolean {
  return conditions.every(({ matchType, path }) => {
    if (path.length > labels.length) return false;
    const start = matchType === 'prefix' ? 0 : labels.length - path.length;
    return path.every((label, i) => label === '*' || labels[start + i] === label);
  });
}

function collect(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') out.push(String(value));
  else if (Array.isArray(value)) for (const item of value) collect(item, out);
  else if (typeof value === 'object' && value !== null && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    for (const item of value instanceof Map || value instanceof Set ? value.values() : Object.values(value)) collect(item, out);
  }
}

/** The values at a LangGraph field path: `a.b`, `a[*].b`, `a[0]`, `a[-1]`, `*`. */
function atPath(value: unknown, tokens: readonly string[]): unknown[] {
  let current: unknown[] = [value];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const node of current) {
      const index = /^\[(\*|-?\d+)\]$/.exec(token);
      if (index && Array.isArray(node)) {
        if (index[1] === '*') next.push(...node);
        else {
          const i = Number(index[1]);
          const at = i < 0 ? node.length + i : i;
          if (at >= 0 && at < node.length) next.push(node[at]);
        }
      } else if (token === '*' && typeof node === 'object' && node !== null) {
        next.push(...Object.values(node));
      } else if (typeof node === 'object' && node !== null && !Array.isArray(node) && Object.hasOwn(node, token)) {
        next.push((node as Record<string, unknown>)[token]);
      }
    }
    current = next;
  }
  return current;
}

function tokens(path: string): string[] {
  return path.split('.').flatMap((part) => part.split(/(?=\[)/)).filter((t) => t !== '' && t !== '$');
}

/**
 * The text full-text search finds an item by: every string, number and boolean in the
 * value, or only under the given field paths; null when the put said `index: false`.
 */
export function searchText(value: unknown, index: false | readonly string[] | undefined): string | null {
  if (index === false) return null;
  const out: string[] = [];
  if (index === undefined) collect(value, out);
  else for (const path of index) for (const found of atPath(value, tokens(path))) collect(found, out);
  return out.length === 0 ? null : out.join('\n');
}
