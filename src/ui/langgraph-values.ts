/**
 * LangGraph values as the dashboard shows them. The saver stores what its serde wrote:
 * LangGraph's JsonPlusSerializer writes 'json' (JSON text with `lc` records for what JSON
 * cannot hold) and 'bytes'. The page reads them as data, without the serde: nothing stored
 * is ever revived into a class (JsonPlusSerializer's `load` would construct LangChain
 * objects), and a type the dashboard does not know is shown by its name and size.
 *
 * @example
 * ```ts
 * decodeValue('json', new TextEncoder().encode('{"lc":2,"type":"undefined"}'));   // undefined
 * ```
 */
import { Named } from './display.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const utf8 = new TextDecoder();

/** The `lc: 2` records JsonPlusSerializer writes for undefined, Set, Map, Error, RegExp and Uint8Array. */
function fromRecord(record: Obj): unknown {
  if (record.type === 'undefined') return undefined;
  if (record.type !== 'constructor' || !Array.isArray(record.id) || !Array.isArray(record.args)) return record;
  const [args] = record.args as unknown[];
  switch (record.id[0]) {
    case 'Set': return Array.isArray(args) ? new Set(args) : record;
    case 'Map': return Array.isArray(args) && args.every((e) => Array.isArray(e) && e.length === 2) ? new Map(args as [unknown, unknown][]) : record;
    case 'Uint8Array': return Array.isArray(args) && args.every((b) => Number.isInteger(b)) ? new Uint8Array(args as number[]) : record;
    case 'Error': return new Named('Error', { message: args });
    case 'RegExp': return new Named('RegExp', { source: args, flags: (record.args as unknown[])[1] });
    default: return record;
  }
}

/**
 * JSON from the serde, its records read as what they stand for; a LangChain object (a message) as its class name and fields.
 *
 * @example
 * ```ts
 * readJsonPlus({ lc: 1, type: 'constructor', id: ['langchain_core', 'messages', 'AIMessage'], kwargs: { content: 'hi' } });   // Named('AIMessage', { content: 'hi' })
 * ```
 */
export function readJsonPlus(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(readJsonPlus);
  if (!isObj(value)) return value;
  const inner: Obj = {};
  for (const [key, item] of Object.entries(value)) inner[key] = readJsonPlus(item);
  if (inner.lc === 2) return fromRecord(inner);
  if (inner.lc === 1 && inner.type === 'constructor' && Array.isArray(inner.id) && isObj(inner.kwargs)) {
    return new Named(String(inner.id.at(-1)), inner.kwargs);
  }
  return inner;
}

/** A stored value, given its serde type and bytes, as a value for toDisplay. */
export function decodeValue(type: string, data: Uint8Array | null): unknown {
  if (data === null) return undefined;
  if (type === 'bytes') return data;
  if (type !== 'json') return new Named(`${type} (a serde this page does not read)`, { bytes: data.length });
  const text = utf8.decode(data);
  try {
    return readJsonPlus(JSON.parse(text));
  } catch {
    return new Named('unreadable JSON', { text });
  }
}
