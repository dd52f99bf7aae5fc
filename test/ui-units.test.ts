import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/index.ts';
import { DISPLAY_NODE_BUDGET, toDisplay, toJson } from '../src/ui/display.ts';
import { graphOf } from '../src/ui/graph.ts';
import { DEFAULT_UI_HISTORY_MS, DEFAULT_UI_HOST, DEFAULT_UI_PORT, DEFAULT_UI_SAMPLE_INTERVAL_MS, parseDashboardOptions } from '../src/ui/options.ts';
import { CONTENT_SECURITY_POLICY, hostAllowed, parseHost } from '../src/ui/security.ts';
import { cleanup } from './helpers.ts';

const ASSETS = fileURLToPath(new URL('../src/ui/assets/', import.meta.url));

describe('ui: stored values as displayable JSON', () => {
  test('types JSON lacks become tagged objects', () => {
    const value = { at: new Date(0), n: 10n, m: new Map([['k', 1]]), s: new Set([1]), b: new Uint8Array([1, 255]), u: undefined, x: Number.NaN };
    assert.deepEqual(toDisplay(value), {
      at: { $t: 'date', v: '1970-01-01T00:00:00.000Z' }, n: { $t: 'bigint', v: '10' }, m: { $t: 'map', v: [['k', 1]] },
      s: { $t: 'set', v: [1] }, b: { $t: 'bytes', n: 2, v: '01 ff' }, u: { $t: 'undefined' }, x: { $t: 'number', v: 'NaN' },
    });
  });

  test('a stored object with its own $t key is wrapped, never read as a tag', () => {
    assert.deepEqual(toDisplay({ $t: 'date', v: 'x' }), { $t: 'object', v: { $t: 'date', v: 'x' } });
  });

  test('a value larger than the budget is cut with a marker of what was left out', () => {
    const shown = toDisplay(Array.from({ length: DISPLAY_NODE_BUDGET * 2 }, (_, i) => i)) as unknown[];
    assert.ok(shown.length < DISPLAY_NODE_BUDGET + 2);
    assert.deepEqual(shown.at(-1), { $t: 'more', n: DISPLAY_NODE_BUDGET * 2 - (shown.length - 1) });
  });

  test('cycles end in a marker; API bodies carry BigInt as text', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    assert.deepEqual(toDisplay(a), { self: { $t: 'cycle' } });
    assert.equal(toJson({ n: 12345678901234567890n }), '{"n":"12345678901234567890"}');
  });
});

describe('ui: execution trees as graphs', () => {
  test('nodes and index edges', () => {
    assert.deepEqual(graphOf({ nodes: ['a', 'b'], edges: [[0, 1]] }, []), { nodes: [{ id: 'a' }, { id: 'b' }], edges: [{ from: 'a', to: 'b' }], recognised: true });
  });

  test('phases with named edges, objects with ids, from/to and source/target', () => {
    assert.deepEqual(graphOf({ phases: ['x', 'y'], edges: [['x', 'y']] }, []).edges, [{ from: 'x', to: 'y' }]);
    assert.deepEqual(graphOf({ nodes: [{ id: 'p' }, { name: 'q' }], edges: [{ from: 'p', to: 'q' }, { source: 'q', target: 'r' }] }, []).edges,
      [{ from: 'p', to: 'q' }, { from: 'q', to: 'r' }]);
  });

  test('a map of nodes with their parents, and a nested tree', () => {
    assert.deepEqual(graphOf({ nodes: { a: {}, b: { dependsOn: ['a'] } } }, []).edges, [{ from: 'a', to: 'b' }]);
    assert.deepEqual(graphOf({ id: 'root', children: [{ id: 'c1', children: [{ id: 'c2' }] }] }, []).edges, [{ from: 'root', to: 'c1' }, { from: 'c1', to: 'c2' }]);
  });

  test('an unknown shape draws the cached nodes only, and says so', () => {
    assert.deepEqual(graphOf({ whatever: 1 }, ['n1']), { nodes: [{ id: 'n1' }], edges: [], recognised: false });
    assert.deepEqual(graphOf(null, ['n1', 'n2']).nodes, [{ id: 'n1' }, { id: 'n2' }]);
  });
});

describe('ui: Host header (DNS rebinding)', () => {
  test('parses host headers', () => {
    assert.deepEqual(parseHost('localhost:80'), { name: 'localhost', port: 80 });
    assert.deepEqual(parseHost('[::1]:4646'), { name: '[::1]', port: 4646 });
    assert.deepEqual(parseHost('Example.COM'), { name: 'example.com', port: undefined });
    assert.equal(parseHost('a:b:c'), undefined);
  });

  const cases: [string | undefined, boolean][] = [
    ['127.0.0.1:4646', true], ['localhost:4646', true], ['[::1]:4646', true], ['10.1.2.3:4646', true],
    ['evil.example:4646', false], ['localhost.evil.example:4646', false], ['127.0.0.1:4647', false], ['127.0.0.1', false], ['', false], [undefined, false],
  ];
  for (const [header, allowed] of cases) {
    test(`Host ${JSON.stringify(header)} is ${allowed ? 'answered' : 'refused'}`, () => {
      assert.equal(hostAllowed(header, 4646, '127.0.0.1'), allowed);
    });
  }

  test('a --host name is answered on its own port', () => {
    assert.equal(hostAllowed('dash.internal:4646', 4646, 'dash.internal'), true);
    assert.equal(hostAllowed('other.internal:4646', 4646, 'dash.internal'), false);
  });

  test('the CSP allows no inline script or style and no other origin', () => {
    assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
    assert.match(CONTENT_SECURITY_POLICY, /style-src 'self'(;|$)/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe|https?:/);
  });
});

describe('ui: dashboard options', () => {
  test('defaults are the named constants', async (t) => {
    const store = await openStore({ path: ':memory:', readers: 1 });
    cleanup(t, () => store.close());
    const options = parseDashboardOptions({ store });
    assert.equal(options.port, DEFAULT_UI_PORT);
    assert.equal(options.host, DEFAULT_UI_HOST);
    assert.equal(options.sampleIntervalMs, DEFAULT_UI_SAMPLE_INTERVAL_MS);
    assert.equal(options.historyMs, DEFAULT_UI_HISTORY_MS);
    assert.ok(Object.isFrozen(options));
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['no store', {}, 'store'],
    ['a store that is not one', { store: {} }, 'store'],
    ['a port above 65535', { port: 70_000 }, 'port'],
    ['a fractional port', { port: 1.5 }, 'port'],
    ['an empty host', { host: '' }, 'host'],
    ['a sample interval under 50 ms', { sampleIntervalMs: 10 }, 'sampleIntervalMs'],
    ['a history under a second', { historyMs: 10 }, 'historyMs'],
    ['a misspelled option', { prot: 1 }, 'prot'],
  ];
  for (const [name, extra, field] of invalid) {
    test(`${name} is FLOWSTORE_INVALID_OPTIONS naming ${field}`, async (t) => {
      const store = await openStore({ path: ':memory:', readers: 1 });
      cleanup(t, () => store.close());
      const options = 'store' in extra || field === 'store' ? extra : { store, ...extra };
      assert.throws(() => parseDashboardOptions(options), (error: { code: string; details: { field: string } }) => {
        assert.equal(error.code, 'FLOWSTORE_INVALID_OPTIONS');
        assert.equal(error.details.field, field);
        return true;
      });
    });
  }
});

describe('ui: the page never parses stored text as markup', () => {
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
  for (const file of files(ASSETS).filter((f) => f.endsWith('.js') || f.endsWith('.html'))) {
    test(`${file.slice(ASSETS.length)} uses no innerHTML, outerHTML, insertAdjacentHTML, document.write, eval or inline handlers`, () => {
      const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
      assert.doesNotMatch(text, /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(|\son[a-z]+="/);
    });
  }
});
