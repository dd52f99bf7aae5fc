/**
 * Value encoding shared by every domain: JSON text that round-trips Date, BigInt,
 * Map, Set, Uint8Array, undefined and non-finite numbers, and fflate compression
 * of large values. Plain data stays plain JSON, so `json_extract()` works on it
 * in direct SQL; only special values become `{"$t": type, "v": …}` tags.
 */
import { createRequire } from 'node:module';
import { FlowstoreError } from './errors.ts';

type Fflate = typeof import('fflate');
let fflateModule: Fflate | undefined;
/**
 * fflate, loaded the first time a value is compressed or inflated: most stores never hold
 * a value that large, and every thread (and the caller's, which only encodes JSON) starts
 * ~10 ms sooner without it.
 */
function fflate(): Fflate {
  return (fflateModule ??= createRequire(import.meta.url)('fflate') as Fflate);
}
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

const TAG = '$t';
/** The first byte of every zlib stream fflate writes (deflate, 32 KiB window). */
const ZLIB_HEADER = 0x78;

type DeflateLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

export interface CompressionSettings {
  /** Values whose encoded size is at least this many bytes are compressed. */
  readonly thresholdBytes: number;
  /** fflate deflate level, 0 (store) to 9 (smallest). */
  readonly level: number;
}

/** Whether a value is stored as it is and needs no look inside: a string, a boolean, a finite number but -0. */
function isBare(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0));
}

/**
 * Rewrites special values into tags; returns the input itself when nothing needs tagging.
 * Plain objects, arrays and bare values, what nearly every value is made of, are tested
 * first: a large batch is encoded before the engine's code has warmed up.
 */
function tag(value: unknown): unknown {
  if (value === null || isBare(value)) return value;
  if (typeof value !== 'object') return tagPrimitive(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return tagRecord(value as Record<string, unknown>);
  if (Array.isArray(value)) return tagArray(value);
  if (value instanceof Date) return { [TAG]: 'Date', v: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  if (value instanceof Uint8Array) return { [TAG]: 'Uint8Array', v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof Map) return { [TAG]: 'Map', v: Array.from(value, ([k, v]) => [tag(k), tag(v)]) };
  if (value instanceof Set) return { [TAG]: 'Set', v: Array.from(value, tag) };
  throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `cannot store an instance of ${value.constructor?.name ?? 'unknown class'}`, { details: { type: value.constructor?.name } });
}

/** A tag for a value that is not an object and not bare: a number JSON cannot hold, a BigInt, undefined. */
function tagPrimitive(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return { [TAG]: 'Number', v: String(Object.is(value, -0) ? '-0' : value) };
    case 'bigint':
      return { [TAG]: 'BigInt', v: value.toString() };
    case 'undefined':
      return { [TAG]: 'undefined' };
    default:
      throw new FlowstoreError('FLOWSTORE_INVALID_ARGUMENT', `cannot store a value of type ${typeof value}`, { details: { type: typeof value } });
  }
}

function tagArray(value: unknown[]): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    const t = isBare(item) ? item : tag(item);
    if (t !== item && copy === undefined) copy = value.slice(0, i);
    if (copy !== undefined) copy.push(t);
  }
  return copy ?? value;
}

function tagRecord(record: Record<string, unknown>): unknown {
  let copy: Record<string, unknown> | undefined;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = record[key];
    const t = isBare(item) ? item : tag(item);
    if (t !== item && copy === undefined) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j]!] = record[keys[j]!];
    }
    if (copy !== undefined) copy[key] = t;
  }
  const result = copy ?? record;
  // A user object that happens to have a "$t" key is wrapped so that it is not read as a tag.
  return Object.hasOwn(record, TAG) ? { [TAG]: 'Object', v: result } : result;
}

function untag(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = untag(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  const type = record[TAG];
  if (typeof type === 'string') {
    const v = record.v;
    switch (type) {
      case 'Date': return new Date(v === null ? Number.NaN : (v as string));
      case 'BigInt': return BigInt(v as string);
      case 'undefined': return undefined;
      case 'Number': return Number(v);
      case 'Uint8Array': return new Uint8Array(Buffer.from(v as string, 'base64'));
      case 'Map': return new Map((v as [unknown, unknown][]).map(([k, val]) => [untag(k), untag(val)]));
      case 'Set': return new Set((v as unknown[]).map(untag));
      case 'Object': {
        const inner = v as Record<string, unknown>;
        for (const key of Object.keys(inner)) inner[key] = untag(inner[key]);
        return inner;
      }
      default: throw new Error(`unknown value tag ${type}`);
    }
  }
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (typeof item === 'object' && item !== null) record[key] = untag(item);
  }
  return record;
}

/** Encodes any supported value as JSON text. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(tag(value));
}

let decodedChars = 0;

/**
 * How many characters of JSON this thread has decoded so far: a reader that decoded a
 * lot for a task sends that task's values serialized one by one (see protocol.ts).
 */
export function jsonCharsDecoded(): number {
  return decodedChars;
}

/** Decodes what {@link toJsonText} produced. Throws FLOWSTORE_CORRUPT on malformed text. */
export function fromJsonText(text: string): unknown {
  decodedChars += text.length;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    // Most values hold no tag at all; the substring scan is far cheaper than a walk.
    return text.includes('"$t"') ? untag(parsed) : parsed;
  } catch (cause) {
    throw new FlowstoreError('FLOWSTORE_CORRUPT', 'stored value is not valid flowstore JSON', { cause });
  }
}

/** The longest JSON text {@link Codec.toWireJson} leaves for the main thread to parse (a few µs of `JSON.parse`). */
export const MAIN_THREAD_JSON_CHARS = 8 * 1024;

/** A stored JSON value on its way to the main thread: its text, or the value already decoded, or null. */
export type WireJson = string | { readonly value: unknown } | null;

/** The value a {@link WireJson} carries; on the main thread. Throws FLOWSTORE_CORRUPT on malformed text. */
export function fromWireJson(wire: WireJson): unknown {
  if (wire === null) return null;
  return typeof wire === 'string' ? fromJsonText(wire) : wire.value;
}

/** Compression on or off, bound to a store's settings; used inside the workers only. */
export class Codec {
  readonly #settings: CompressionSettings | false;

  constructor(settings: CompressionSettings | false) {
    this.#settings = settings;
  }

  /** JSON text when small (readable by SQL), a compressed BLOB when large. */
  encodeJson(value: unknown): string | Uint8Array {
    return this.packText(toJsonText(value));
  }

  /** What {@link encodeJson} stores, for a value already encoded by {@link toJsonText} (see `jsonText` in the schemas). */
  packText(text: string): string | Uint8Array {
    if (this.#settings === false || text.length < this.#settings.thresholdBytes) return text;
    return deflate(bytesOf(text), this.#settings.level);
  }

  /** Whether {@link packText} compresses a JSON text of this length. */
  compresses(length: number): boolean {
    return this.#settings !== false && length >= this.#settings.thresholdBytes;
  }

  /**
   * A stored JSON value as it best crosses to the main thread: a small JSON text as it is
   * (a string crosses as one copy; the object parsed from it, property by property, about
   * three times slower, and `JSON.parse` there costs no more than taking the object in),
   * anything larger or compressed decoded here, off the main thread, in a box. Read it
   * back with {@link fromWireJson}.
   */
  toWireJson(stored: unknown): WireJson {
    if (stored === null || stored === undefined) return null;
    if (typeof stored === 'string' && stored.length <= MAIN_THREAD_JSON_CHARS) return stored;
    return { value: this.decodeJson(stored) };
  }

  decodeJson(stored: unknown): unknown {
    if (stored === null || stored === undefined) return null;
    return fromJsonText(this.unpackText(stored));
  }

  /** The JSON text {@link packText} stored, inflated when it was compressed. */
  unpackText(stored: unknown): string {
    if (typeof stored === 'string') return stored;
    // Deflated JSON starts with zlib's 0x78; JSON text never does (PostgreSQL stores either kind as bytea).
    if (stored instanceof Uint8Array) return textOf(stored[0] === ZLIB_HEADER ? inflate(stored) : stored);
    throw new FlowstoreError('FLOWSTORE_CORRUPT', `stored value has unexpected type ${typeof stored}`);
  }

  /** Compresses bytes above the threshold; `compressed` must be stored beside the data. */
  encodeBytes(bytes: Uint8Array): { data: Uint8Array; compressed: boolean } {
    if (this.#settings === false || bytes.byteLength < this.#settings.thresholdBytes) return { data: bytes, compressed: false };
    return { data: deflate(bytes, this.#settings.level), compressed: true };
  }

  decodeBytes(data: unknown, compressed: boolean | number): Uint8Array {
    if (!(data instanceof Uint8Array)) {
      throw new FlowstoreError('FLOWSTORE_CORRUPT', `stored blob has unexpected type ${typeof data}`);
    }
    return compressed ? inflate(data) : data;
  }
}

/** `bytes` as a zlib stream (deflate at `level`, 0 to 9). */
export function deflate(bytes: Uint8Array, level: number): Uint8Array {
  return fflate().zlibSync(bytes, { level: level as DeflateLevel });
}

/** UTF-8 `bytes` as text. */
export function textOf(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** UTF-8 bytes of `text`. */
export function bytesOf(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

function inflate(data: Uint8Array): Uint8Array {
  let out: Uint8Array;
  try {
    out = fflate().unzlibSync(data);
  } catch (cause) {
    throw new FlowstoreError('FLOWSTORE_CORRUPT', 'stored blob does not decompress', { cause });
  }
  // fflate does not check the zlib trailer; without this a damaged blob could decode into silent garbage.
  const end = data.byteLength;
  const stored = end >= 4 ? ((data[end - 4]! << 24) | (data[end - 3]! << 16) | (data[end - 2]! << 8) | data[end - 1]!) >>> 0 : -1;
  if (stored !== adler32(out)) throw new FlowstoreError('FLOWSTORE_CORRUPT', 'stored blob fails its checksum');
  return out;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  // 5552 is the most bytes that can be summed before the 32-bit sums need reducing.
  for (let start = 0; start < bytes.length; start += 5552) {
    const stop = Math.min(start + 5552, bytes.length);
    for (let i = start; i < stop; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** SQLite's own `YYYY-MM-DD HH:MM:SS.SSS` form, UTC, so datetime() and strftime() work on it. */
export function toSqlTime(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

let lastNowMs = Number.NaN;
let lastNowText = '';

/** {@link toSqlTime} of the current time; a batch of writes in one millisecond formats it once. */
export function sqlNow(): string {
  const ms = Date.now();
  if (ms !== lastNowMs) {
    lastNowMs = ms;
    lastNowText = toSqlTime(new Date(ms));
  }
  return lastNowText;
}

/** The digits of `text` from `start` to `end` as a number, or -1 if one is not a digit. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Reads {@link toSqlTime}'s form (or SQLite's, without milliseconds) field by field: a
 * read of a run's state parses two of them, and `new Date(string)` took a third of the
 * time the whole row took to map. Any other form goes through `Date`'s own parser.
 */
export function fromSqlTime(text: string): Date {
  const length = text.length;
  if ((length === 19 || (length === 23 && text.charCodeAt(19) === 46)) && text.charCodeAt(10) === 32) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 7);
    const day = digits(text, 8, 10);
    const hour = digits(text, 11, 13);
    const minute = digits(text, 14, 16);
    const second = digits(text, 17, 19);
    const ms = length === 23 ? digits(text, 20, 23) : 0;
    if ((year | month | day | hour | minute | second | ms) >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31
      && hour < 24 && minute < 60 && second < 60 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45
      && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58) {
      return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
    }
  }
  return new Date(`${text.replace(' ', 'T')}Z`);
}
