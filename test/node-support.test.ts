/** The runtime check openStore makes first: which Node and SQLite versions flowstore accepts. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { assertSupportedRuntime, MIN_SQLITE_VERSION, SUPPORTED_NODE_RANGE } from '../src/node-support.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };

describe('supported runtimes', () => {
  test('package.json engines is the range the check enforces', () => {
    assert.equal(pkg.engines.node, SUPPORTED_NODE_RANGE);
    assert.equal(SUPPORTED_NODE_RANGE, '>=22.22.3 <23 || >=24.15.0 <25 || >=26.0.0');
  });

  test('this process is supported (the suite runs on every supported major)', () => {
    assert.doesNotThrow(() => assertSupportedRuntime());
  });

  const accepted: [string, string][] = [
    ['22.22.3', '3.51.3'],
    ['22.23.3', '3.51.3'],
    ['24.15.0', '3.51.3'],
    ['24.21.0', '3.53.4'],
    ['26.0.0', '3.51.3'],
    ['26.10.0', '3.53.4'],
    ['27.1.0', '3.54.0'],
  ];
  for (const [node, sqlite] of accepted) {
    test(`Node ${node} with SQLite ${sqlite} is accepted`, () => {
      assert.doesNotThrow(() => assertSupportedRuntime({ node, sqlite }));
    });
  }

  const refused: [string, string, string | undefined][] = [
    ['Node 20, which has no node:sqlite', '20.20.2', undefined],
    ['Node 22.12, whose node:sqlite is behind a flag', '22.12.0', undefined],
    ['Node 22.16, the first with backup() and timeout, but SQLite 3.49', '22.16.0', '3.49.1'],
    ['the last 22 with SQLite 3.51.2', '22.22.2', '3.51.2'],
    ['an odd major', '23.11.1', '3.49.2'],
    ['24.4, the old minimum', '24.4.0', '3.50.2'],
    ['the last 24 with SQLite 3.51.2', '24.14.1', '3.51.2'],
    ['an odd major with a recent SQLite', '25.9.0', '3.51.3'],
    ['a supported Node built against an older shared SQLite', '24.21.0', '3.46.1'],
  ];
  for (const [name, node, sqlite] of refused) {
    test(`${name} is FLOWSTORE_UNSUPPORTED_RUNTIME naming what is needed`, () => {
      assert.throws(() => assertSupportedRuntime({ node, sqlite }), {
        name: 'FlowstoreError',
        code: 'FLOWSTORE_UNSUPPORTED_RUNTIME',
        details: { node, sqlite: sqlite ?? null, requiredNode: SUPPORTED_NODE_RANGE, requiredSqlite: MIN_SQLITE_VERSION },
      });
    });
  }
});
