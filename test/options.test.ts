import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { openStore } from '../src/index.ts';
import { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_COMPRESSION_LEVEL, DEFAULT_COMPRESSION_THRESHOLD_BYTES, DEFAULT_HIGH_WATER_MARK, DEFAULT_READ_ONLY, DEFAULT_READER_NICENESS, DEFAULT_READERS, DEFAULT_WAL_SIZE_LIMIT_BYTES, parseOptions, resolveLocation } from '../src/options.ts';

describe('options schema', () => {
  test('defaults are the named constants, and the result is frozen', () => {
    const options = parseOptions({});
    assert.equal(options.readers, DEFAULT_READERS);
    assert.equal(options.readerNiceness, DEFAULT_READER_NICENESS);
    assert.equal(options.durability, 'normal');
    assert.equal(options.busyTimeoutMs, DEFAULT_BUSY_TIMEOUT_MS);
    assert.deepEqual(options.compression, { thresholdBytes: DEFAULT_COMPRESSION_THRESHOLD_BYTES, level: DEFAULT_COMPRESSION_LEVEL });
    assert.equal(options.readOnly, DEFAULT_READ_ONLY);
    assert.equal(options.highWaterMark, DEFAULT_HIGH_WATER_MARK);
    assert.equal(options.walSizeLimitBytes, DEFAULT_WAL_SIZE_LIMIT_BYTES);
    assert.ok(Object.isFrozen(options));
  });

  const invalid: [string, unknown, string][] = [
    ['a misspelled option', { readonly: true }, 'readonly'],
    ['a readOnly that is not a boolean', { readOnly: 'yes' }, 'readOnly'],
    ['readers below 1', { readers: 0 }, 'readers'],
    ['fractional readers', { readers: 1.5 }, 'readers'],
    ['a reader niceness past 19', { readerNiceness: 20 }, 'readerNiceness'],
    ['a negative reader niceness', { readerNiceness: -1 }, 'readerNiceness'],
    ['an unknown durability', { durability: 'paranoid' }, 'durability'],
    ['a negative busy timeout', { busyTimeoutMs: -1 }, 'busyTimeoutMs'],
    ['a compression level above 9', { compression: { level: 10 } }, 'compression'],
    ['an unknown compression key', { compression: { threshold: 10 } }, 'compression'],
    ['an empty path', { path: '' }, 'path'],
    ['a logger that is not one', { logger: 'loud' }, 'logger'],
    ['a zero transaction timeout', { transactionTimeoutMs: 0 }, 'transactionTimeoutMs'],
    ['a high-water mark of zero', { highWaterMark: 0 }, 'highWaterMark'],
    ['a fractional high-water mark', { highWaterMark: 10.5 }, 'highWaterMark'],
    ['a negative WAL size limit', { walSizeLimitBytes: -1 }, 'walSizeLimitBytes'],
  ];
  for (const [name, options, field] of invalid) {
    test(`${name} is FLOWSTORE_INVALID_OPTIONS naming ${field}`, () => {
      assert.throws(() => parseOptions(options), (error: { code: string; details: { field: string } }) => {
        assert.equal(error.code, 'FLOWSTORE_INVALID_OPTIONS');
        assert.ok(error.details.field.startsWith(field), error.details.field);
        return true;
      });
    });
  }

  test('compression accepts false, true, a threshold, or settings', () => {
    assert.equal(parseOptions({ compression: false }).compression, false);
    assert.deepEqual(parseOptions({ compression: true }).compression, { thresholdBytes: DEFAULT_COMPRESSION_THRESHOLD_BYTES, level: DEFAULT_COMPRESSION_LEVEL });
    assert.deepEqual(parseOptions({ compression: 100 }).compression, { thresholdBytes: 100, level: DEFAULT_COMPRESSION_LEVEL });
    assert.deepEqual(parseOptions({ compression: { level: 9 } }).compression, { thresholdBytes: DEFAULT_COMPRESSION_THRESHOLD_BYTES, level: 9 });
  });

  test('a pino logger or pino options are accepted', () => {
    assert.ok(parseOptions({ logger: pino({ level: 'silent' }) }).logger);
    assert.ok(parseOptions({ logger: { level: 'silent' } }).logger);
  });

  test('openStore rejects bad options before starting any thread', async () => {
    await assert.rejects(openStore({ path: ':memory:', reader: 2 } as never), { code: 'FLOWSTORE_INVALID_OPTIONS' });
  });
});

describe('path forms', () => {
  const cases: [string, ReturnType<typeof resolveLocation>][] = [
    ['./x.db', { kind: 'file', file: './x.db' }],
    ['sqlite:x.db', { kind: 'file', file: 'x.db' }],
    ['sqlite:///tmp/x.db', { kind: 'file', file: '/tmp/x.db' }],
    ['file:./x.db', { kind: 'file', file: './x.db' }],
    ['file:x.db?mode=rwc', { kind: 'file', file: 'x.db' }],
    ['file:///tmp/a%20b.db', { kind: 'file', file: '/tmp/a b.db' }],
    [':memory:', { kind: 'memory' }],
    ['sqlite::memory:', { kind: 'memory' }],
    ['file::memory:', { kind: 'memory' }],
    ['file::memory:?cache=shared', { kind: 'memory' }],
  ];
  for (const [path, expected] of cases) {
    test(`${path}`, () => assert.deepEqual(resolveLocation(path, {}), expected));
  }

  test('FLOWSTORE_DB, then DATABASE_URL, then ./flowstore.db', () => {
    assert.deepEqual(resolveLocation(undefined, { FLOWSTORE_DB: 'a.db', DATABASE_URL: 'file:b.db' }), { kind: 'file', file: 'a.db' });
    assert.deepEqual(resolveLocation(undefined, { DATABASE_URL: 'file:b.db' }), { kind: 'file', file: 'b.db' });
    assert.deepEqual(resolveLocation(undefined, {}), { kind: 'file', file: './flowstore.db' });
  });

  test('a URL with no file is FLOWSTORE_INVALID_OPTIONS', () => {
    assert.throws(() => resolveLocation('sqlite:', {}), { code: 'FLOWSTORE_INVALID_OPTIONS' });
  });
});
