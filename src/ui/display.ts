/**
 * Stored values as JSON the page can draw: flowstore round-trips Date, BigInt, Map, Set,
 * Uint8Array and undefined, which JSON cannot carry, so each becomes a tagged object
 * (`{ $t: 'date', v: '…' }`). A plain object that has its own `$t` key is wrapped, so a tag
 * is never taken from stored data. Large values are cut to a node budget, with a marker
 * saying how much was left out: a page never carries a whole 100 MB state.
 *
 * @example
 * ```ts
 * toDisplay({ at: new Date(0), n: 1n });   // { at: { $t: 'date', v: '1970-01-01T00:00:00.000Z' }, n: { $t: 'bigint', v: '1' } }
 * ```
 */

export const DISPLAY_NODE_BUDGET = 5_000;
export const DISPLAY_STRING_CHARS = 20_000;
const BYTES_PREVIEW = 64;

/**
 * A record shown under a name of its own (a LangChain message as `HumanMessage{…}`): the page
 * draws it as an object of that kind. Only the server makes these; stored data cannot.
 *
 * @example
 * ```ts
 * toDisplay(new Named('HumanMessage', { content: 'hi' }));   // { $t: 'object', kind: 'HumanMessage', v: { content: 'hi' } }
 * ```
 */
export class Named {
  readonly name: string;
  readonly fields: Record<string, unknown>;

  constructor(name: string, fields: Record<string, unknown>) {
    this.name = name;
    this.fields = fields;
  }
}

type Budget = { left: number };

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, BYTES_PREVIEW), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function encode(value: unknown, budget: Budget, seen: Set<object>): unknown {
  budget.left--;
  switch (typeof value) {
    case 'string':
      return value.length > DISPLAY_STRING_CHARS ? { $t: 'cut', v: value.slice(0, DISPLAY_STRING_CHARS), n: value.length } : value;
    case 'number':
      return Number.isFinite(value) ? value : { $t: 'number', v: String(value) };
    case 'bigint':
      return { $t: 'bigint', v: value.toString() };
    case 'boolean':
      return value;
    case 'undefined':
      return { $t: 'undefined' };
    case 'object':
      break;
    default:
      return { $t: typeof value, v: String(value) };
  }
  if (value === null) return null;
  if (value instanceof Date) return { $t: 'date', v: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString() };
  if (value instanceof Uint8Array) return { $t: 'bytes', n: value.length, v: hex(value) };
  if (seen.has(value)) return { $t: 'cycle' };
  if (value instanceof Named) return { $t: 'object', kind: value.name, v: encode(value.fields, budget, seen) };
  seen.add(value);
  try {
    if (value instanceof Map) return { $t: 'map', v: entries(value.entries(), value.size, budget, seen) };
    if (value instanceof Set) return { $t: 'set', v: items(value.values(), value.size, budget, seen) };
    if (Array.isArray(value)) return items(value.values(), value.length, budget, seen);
    const object = Object.fromEntries(entries(Object.entries(value).values(), Object.keys(value).length, budget, seen) as [string, unknown][]);
    return Object.hasOwn(object, '$t') ? { $t: 'object', v: object } : object;
  } finally {
    seen.delete(value);
  }
}

function items(values: Iterator<unknown>, size: number, budget: Budget, seen: Set<object>): unknown[] {
  const out: unknown[] = [];
  for (let next = values.next(); !next.done; next = values.next()) {
    if (budget.left <= 0) {
      out.push({ $t: 'more', n: size - out.length });
      break;
    }
    out.push(encode(next.value, budget, seen));
  }
  return out;
}

function entries(pairs: Iterator<[unknown, unknown]>, size: number, budget: Budget, seen: Set<object>): [unknown, unknown][] {
  const out: [unknown, unknown][] = [];
  for (let next = pairs.next(); !next.done; next = pairs.next()) {
    if (budget.left <= 0) {
      out.push(['…', { $t: 'more', n: size - out.length }]);
      break;
    }
    const [key, item] = next.value;
    out.push([typeof key === 'string' ? key : encode(key, budget, seen), encode(item, budget, seen)]);
  }
  return out;
}

/** The value as plain JSON, tagged where JSON has no form for it, cut to `budget` nodes. */
export function toDisplay(value: unknown, budget = DISPLAY_NODE_BUDGET): unknown {
  return encode(value, { left: budget }, new Set());
}

/** `JSON.stringify` for API bodies: BigInt (which it would throw on) as a decimal string. */
export function toJson(body: unknown): string {
  return JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}
