import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { openStore } from '../src/index.ts';
import { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_COMPRESSION_LEVEL, DEFAULT_COMPRESSION_THRESHOLD_BYTES, DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_WAITING, DEFAULT_READ_ONLY, DEFAULT_READER_NICENESS, DEFAULT_READERS, DEFAULT_WAL_SIZE_LIMIT_BYTES } from '../src/options.ts';
import { locate } from '../src/backends/index.ts';
import { parseOptions } from '../src/backends/options.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

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
    assert.equal(options.maxWaiting, DEFAULT_MAX_WAITING);
    assert.equal(DEFAULT_MAX_WAITING, null, 'calls past the mark wait, never refused, unless asked');
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
    ['a negative maxWaiting', { maxWaiting: -1 }, 'maxWaiting'],
    ['a fractional maxWaiting', { maxWaiting: 2.5 }, 'maxWaiting'],
    ['a maxWaiting that is not a number', { maxWaiting: 'many' }, 'maxWaiting'],
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

  test('maxWaiting accepts 0 (refuse past the mark), a count, or null (never refuse)', () => {
    assert.equal(parseOptions({ maxWaiting: 0 }).maxWaiting, 0);
    assert.equal(parseOptions({ maxWaiting: 1000 }).maxWaiting, 1000);
    assert.equal(parseOptions({ maxWaiting: null }).maxWaiting, null);
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
  const file = (target: string) => ({ backend: 'sqlite', kind: 'file', target, display: target });
  const memory = { backend: 'sqlite', kind: 'memory', target: '', display: ':memory:' };
  const cases: [string, object][] = [
    ['./x.db', file('./x.db')],
    ['sqlite:x.db', file('x.db')],
    ['sqlite:///tmp/x.db', file('/tmp/x.db')],
    ['file:./x.db', file('./x.db')],
    ['file:x.db?mode=rwc', file('x.db')],
    ['file:///tmp/a%20b.db', file('/tmp/a b.db')],
    ['C:\\data\\x.db', file('C:\\data\\x.db')],
    ['postgres.db', file('postgres.db')],
    [':memory:', memory],
    ['sqlite::memory:', memory],
    ['file::memory:', memory],
    ['file::memory:?cache=shared', memory],
    ['postgres://app:secret@db:5432/app', { backend: 'postgres', kind: 'server', target: 'postgres://app:secret@db:5432/app', display: 'postgres://app:***@db:5432/app' }],
    ['postgresql://db/app', { backend: 'postgres', kind: 'server', target: 'postgresql://db/app', display: 'postgresql://db/app' }],
  ];
  for (const [path, expected] of cases) {
    test(`${path}`, () => assert.deepEqual(locate(path, {}).location, expected));
  }

  test('FLOWSTORE_DB, then DATABASE_URL, then ./flowstore.db', () => {
    assert.deepEqual(locate(undefined, { FLOWSTORE_DB: 'a.db', DATABASE_URL: 'file:b.db' }).location, file('a.db'));
    assert.deepEqual(locate(undefined, { DATABASE_URL: 'file:b.db' }).location, file('b.db'));
    assert.deepEqual(locate(undefined, {}).location, file('./flowstore.db'));
  });

  test('a URL with no file is FLOWSTORE_INVALID_OPTIONS', () => {
    assert.throws(() => locate('sqlite:', {}), { code: 'FLOWSTORE_INVALID_OPTIONS' });
  });

  for (const path of ['mysql://root@localhost/db', 'redis://127.0.0.1:6379', 'http://example.com/x.db', 'postgres:test', 'postgresql:/x', 'postgres//host/db', 'postgres:///nohost']) {
    test(`${path} is refused, naming path and the accepted forms`, () => {
      assert.throws(() => locate(path, {}), (error: { code: string; details: { field: string; accepted: string[] } }) => {
        assert.equal(error.code, 'FLOWSTORE_INVALID_OPTIONS');
        assert.equal(error.details.field, 'path');
        assert.ok(error.details.accepted.some((form) => form.startsWith('postgres://')));
        return true;
      });
    });
  }

  test('openStore refuses each such path with FLOWSTORE_INVALID_OPTIONS naming path, and creates no file', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'flowstore-paths-'));
    try {
      const paths = ['mysql://root@localhost/db', 'redis://127.0.0.1:6379', 'http://example.com/x.db', 'postgres:test', 'postgresql:/x', 'postgres//host/db'];
      const program = `import { openStore } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src/index.ts')).href)};
        for (const path of ${JSON.stringify(paths)}) {
          const outcome = await openStore({ path }).then((s) => s.close().then(() => 'opened'), (e) => e.code + ' ' + e.details.field);
          console.log(outcome);
        }`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd, encoding: 'utf8', env: { ...process.env, FLOWSTORE_DB: '', DATABASE_URL: '' } });
      assert.deepEqual(out.trim().split('\n'), paths.map(() => 'FLOWSTORE_INVALID_OPTIONS path'));
      assert.deepEqual(readdirSync(cwd), []);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('a refused URL is shown without its password', () => {
    assert.throws(() => locate('mysql://root:hunter2@localhost/db', {}), (error: Error) => !error.message.includes('hunter2'));
  });
});
