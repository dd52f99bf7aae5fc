/**
 * The layout holds: no import circle anywhere in src/ or workers/, the engine and the ground
 * every file stands on (errors, options, codec) import no backend, and no backend imports
 * another (scripts/import-graph.ts reads the graph).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { circles, forbiddenImports, importGraph } from '../scripts/import-graph.ts';

const graph = importGraph();

test('the graph is read: the engine imports its protocol, the backends import the engine', () => {
  assert.ok(graph.get('src/engine/engine.ts')!.includes('src/engine/writer-client.ts'));
  assert.ok(graph.get('src/backends/sqlite/writer-core.ts')!.includes('src/engine/protocol.ts'));
  assert.ok(graph.get('workers/reader.cts')!.includes('workers/reader.ts'));
});

test('no import circle', () => {
  assert.deepEqual(circles(graph), []);
});

test('the engine names no backend, and no backend imports another', () => {
  assert.deepEqual(forbiddenImports(graph), []);
});

test('a circle and a forbidden import are found when there is one', () => {
  const bad = new Map([
    ['src/errors.ts', ['src/backends/postgres/errors.ts']],
    ['src/backends/postgres/errors.ts', ['src/errors.ts']],
    ['src/backends/sqlite/index.ts', ['src/backends/postgres/connection.ts']],
    ['src/backends/postgres/connection.ts', []],
  ]);
  assert.deepEqual(circles(bad), [['src/backends/postgres/errors.ts', 'src/errors.ts']]);
  assert.equal(forbiddenImports(bad).length, 2);
});
