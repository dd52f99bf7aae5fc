import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { zlibSync } from 'fflate';
import { Codec, fromJsonText, fromSqlTime, toJsonText, toSqlTime } from '../src/codec.ts';
import { FlowstoreError, fromErrorData, isFlowstoreError } from '../src/errors.ts';
import { toSqliteErrorData } from '../src/backends/sqlite/errors.ts';

describe('codec', () => {
  const values: [string, unknown][] = [
    ['plain JSON', { a: 1, b: 'two', c: [true, null], d: { e: 1.5 } }],
    ['Date', new Date('2024-05-06T07:08:09.010Z')],
    ['BigInt beyond 2^53', 2n ** 100n],
    ['negative BigInt', -5n],
    ['Map with object keys', new Map<unknown, unknown>([[{ k: 1 }, 'v'], ['s', new Date(0)]])],
    ['Set', new Set([1, 'a', 3n])],
    ['Uint8Array', new Uint8Array([0, 1, 254, 255])],
    ['undefined inside objects and arrays', { a: undefined, b: [undefined, 1] }],
    ['non-finite numbers and -0', [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]],
    ['an object with a "$t" key', { $t: 'Date', v: 'not a tag' }],
    ['deep nesting', { a: [{ b: new Map([['c', new Set([new Date(1)])]]) }] }],
  ];
  /** The value back through plain JSON text and through compressed storage. */
  function roundTrips(value: unknown): unknown[] {
    const codec = new Codec({ thresholdBytes: 0, level: 6 });
    return [fromJsonText(toJsonText(value)), codec.decodeJson(codec.encodeJson(value))];
  }

  for (const [name, value] of values) {
    test(`${name} round-trips`, () => {
      for (const decoded of roundTrips(value)) assert.deepEqual(decoded, value);
    });
  }

  test('an invalid Date round-trips as an invalid Date, alone and nested', () => {
    // Not deepEqual: Node 22's counts two invalid Dates unequal (their times are NaN).
    for (const decoded of roundTrips(new Date(Number.NaN))) {
      assert.ok(decoded instanceof Date);
      assert.ok(Number.isNaN(decoded.getTime()));
    }
    for (const decoded of roundTrips({ at: new Date(Number.NaN), n: 1 })) {
      const { at, n } = decoded as { at: unknown; n: unknown };
      assert.ok(at instanceof Date);
      assert.ok(Number.isNaN(at.getTime()));
      assert.equal(n, 1);
    }
  });

  test('plain values stay plain JSON text that SQL can read', () => {
    assert.equal(toJsonText({ a: 1 }), '{"a":1}');
  });

  test('large values are compressed, small ones are not; both decode', () => {
    const codec = new Codec({ thresholdBytes: 100, level: 3 });
    assert.equal(typeof codec.encodeJson({ a: 1 }), 'string');
    const big = { text: 'abc'.repeat(1000) };
    const stored = codec.encodeJson(big);
    assert.ok(stored instanceof Uint8Array && stored.byteLength < 1000);
    assert.deepEqual(codec.decodeJson(stored), big);
    // A store with compression off still reads rows compressed before.
    assert.deepEqual(new Codec(false).decodeJson(stored), big);
  });

  test('corrupt stored values are FLOWSTORE_CORRUPT', () => {
    const codec = new Codec(false);
    assert.throws(() => codec.decodeJson('{"a":'), { code: 'FLOWSTORE_CORRUPT' });
    assert.throws(() => codec.decodeJson(new Uint8Array([1, 2, 3, 4])), { code: 'FLOWSTORE_CORRUPT' });
    const valid = zlibSync(new TextEncoder().encode('{"a":1}'));
    valid[valid.length - 1]! ^= 0xff;
    assert.throws(() => codec.decodeJson(valid), { code: 'FLOWSTORE_CORRUPT' });
    assert.throws(() => codec.decodeBytes('text', false), { code: 'FLOWSTORE_CORRUPT' });
  });

  test('functions, symbols and class instances are FLOWSTORE_INVALID_ARGUMENT', () => {
    assert.throws(() => toJsonText({ f() {} }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    assert.throws(() => toJsonText({ s: Symbol('x') }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
    assert.throws(() => toJsonText({ u: new URL('http://x') }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
  });

  test('SQL times are UTC text SQLite understands, and read back exactly', () => {
    const date = new Date('2024-01-02T03:04:05.678Z');
    assert.equal(toSqlTime(date), '2024-01-02 03:04:05.678');
    assert.equal(fromSqlTime('2024-01-02 03:04:05.678').getTime(), date.getTime());
    assert.equal(fromSqlTime('2024-01-02 03:04:05').getTime(), Date.UTC(2024, 0, 2, 3, 4, 5));
  });

  test('SQL times in other forms, or not valid, read as Date would read them', () => {
    for (const text of ['2024-01-02T03:04:05Z', '2024-01-02 03:04', '2024-13-02 03:04:05', '2024-02-30 03:04:05', '2024-01-02 03:04:05.6', 'garbage']) {
      assert.equal(fromSqlTime(text).getTime(), new Date(`${text.replace(' ', 'T')}Z`).getTime(), text);
    }
    for (let ms = Date.UTC(1999, 11, 31, 23, 59, 59, 999); ms < Date.UTC(2000, 0, 2); ms += 3_600_007) {
      assert.equal(fromSqlTime(toSqlTime(new Date(ms))).getTime(), ms);
    }
  });
});

describe('errors', () => {
  test('SQLite extended codes map to stable codes', () => {
    const sqlite = (errcode: number) => Object.assign(new Error('x'), { code: 'ERR_SQLITE_ERROR', errcode, errstr: 'x' });
    assert.equal(toSqliteErrorData(sqlite(5)).code, 'FLOWSTORE_BUSY');
    assert.equal(toSqliteErrorData(sqlite(517)).code, 'FLOWSTORE_BUSY');
    assert.equal(toSqliteErrorData(sqlite(262)).code, 'FLOWSTORE_BUSY');
    assert.equal(toSqliteErrorData(sqlite(2067)).code, 'FLOWSTORE_CONFLICT');
    assert.equal(toSqliteErrorData(sqlite(1555)).code, 'FLOWSTORE_CONFLICT');
    assert.equal(toSqliteErrorData(sqlite(11)).code, 'FLOWSTORE_CORRUPT');
    assert.equal(toSqliteErrorData(sqlite(26)).code, 'FLOWSTORE_CORRUPT');
    assert.equal(toSqliteErrorData(sqlite(13)).code, 'FLOWSTORE_SQLITE');
    assert.equal(toSqliteErrorData(new TypeError('boom')).code, 'FLOWSTORE_SQLITE');
  });

  test('an error survives the trip through data with its code, details and cause', () => {
    const original = new FlowstoreError('FLOWSTORE_NOT_FOUND', 'gone', { details: { id: 'x' }, cause: Object.assign(new Error('inner'), { code: 'ERR_SQLITE_ERROR', errcode: 1, errstr: 'e' }) });
    const rebuilt = fromErrorData(structuredClone(toSqliteErrorData(original)));
    assert.ok(isFlowstoreError(rebuilt));
    assert.equal(rebuilt.code, 'FLOWSTORE_NOT_FOUND');
    assert.deepEqual(rebuilt.details, { id: 'x' });
    assert.equal((rebuilt.cause as { errcode: number }).errcode, 1);
  });

  test('isFlowstoreError is false for other errors and values', () => {
    assert.equal(isFlowstoreError(new Error('x')), false);
    assert.equal(isFlowstoreError({ code: 'FLOWSTORE_BUSY' }), false);
    assert.equal(isFlowstoreError(null), false);
  });
});
