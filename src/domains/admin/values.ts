/**
 * One SQLite value as JSON, exactly: integers (read as BigInt) stay integers, reals
 * that look like integers stay reals, blobs become base64. Export and import agree
 * on this and on nothing else, so a dump restores bit for bit.
 */
import type { SQLInputValue } from 'node:sqlite';
import { invalidArgument } from '../../errors.ts';

/** A cell of an export line: plain JSON for the common cases, a one-key tag otherwise. */
export type JsonCell = null | number | string | { $i: string } | { $r: number | string } | { $b: string };

export function encodeCell(value: unknown): JsonCell {
  switch (typeof value) {
    case 'string':
      return value;
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : { $i: value.toString() };
    case 'number':
      // A JSON number without a fraction reads back as an integer: tag reals that have none.
      if (!Number.isFinite(value) || Object.is(value, -0)) return { $r: String(Object.is(value, -0) ? '-0' : value) };
      return Number.isInteger(value) ? { $r: value } : value;
    case 'object':
      if (value === null) return null;
      if (value instanceof Uint8Array) return { $b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      break;
  }
  throw invalidArgument('value', `cannot export a ${typeof value}`);
}

export function decodeCell(cell: unknown): SQLInputValue {
  if (cell === null || typeof cell === 'string') return cell;
  if (typeof cell === 'number') return Number.isInteger(cell) ? BigInt(cell) : cell;
  if (typeof cell === 'object') {
    const tagged = cell as Record<string, unknown>;
    if (typeof tagged.$i === 'string' && /^-?\d+$/.test(tagged.$i)) return BigInt(tagged.$i);
    if (typeof tagged.$r === 'number') return tagged.$r;
    if (typeof tagged.$r === 'string') return tagged.$r === '-0' ? -0 : Number(tagged.$r);
    if (typeof tagged.$b === 'string') return new Uint8Array(Buffer.from(tagged.$b, 'base64'));
  }
  throw invalidArgument('rows', `not an exported value: ${JSON.stringify(cell)?.slice(0, 80)}`);
}
