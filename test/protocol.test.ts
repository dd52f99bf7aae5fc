/** A batch's operations survive packing, a real thread hop (structured clone) and unpacking unchanged, in order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { MAX_PACKED_TEXT, packOps, unpackOps, type PackedOps, type WireOp } from '../src/engine/protocol.ts';

/** Packs, posts through a MessageChannel, unpacks on the other side. */
function travel(ops: WireOp[]): { packed: PackedOps; received: WireOp[] } {
  const packed = packOps(ops);
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(packed);
  const message = receiveMessageOnPort(port2)!.message as PackedOps;
  port1.close();
  return { packed, received: unpackOps(message) };
}

test('flat arrays of strings, numbers and nulls travel packed and come back exactly', () => {
  const ops: WireOp[] = [
    { name: 'runs.saveState', input: ['run_1', 'pipeline', '', 0, -0, 1.5, -7, Number.MAX_SAFE_INTEGER, null, '{"a":1}'] },
    { name: 'x', input: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, null] },
    { name: 'unicode', input: ['é', '日本語', '😀 emoji', 'lone \ud800 surrogate', '\u0000nul', "'; DROP TABLE workflow_state; --"] },
    { name: 'empty', input: [] },
  ];
  const { packed, received } = travel(ops);
  assert.equal(packed.inputs.length, 0, 'every input was packed');
  assert.deepEqual(received, ops);
  assert.ok(Object.is((received[0]!.input as number[])[4], -0), '-0 keeps its sign');
});

test('any other input travels as it is, and the batch keeps its order', () => {
  const date = new Date(0);
  const ops: WireOp[] = [
    { name: 'a', input: { runId: 'r', when: date } },
    { name: 'b', input: ['s', 1, null] },
    { name: 'c', input: ['s', undefined] },
    { name: 'd', input: [true, 1] },
    { name: 'e', input: ['s', ['nested']] },
    { name: 'f', input: 1n },
    { name: 'g', input: undefined },
    { name: 'h', input: ['t', 2] },
  ];
  const { packed, received } = travel(ops);
  assert.equal(packed.inputs.length, 6, 'only b and h were packed');
  assert.deepEqual(received, ops);
  assert.ok((received[0]!.input as { when: Date }).when instanceof Date);
});

test('strings past the packing limit travel as they are', () => {
  const half = 'x'.repeat(MAX_PACKED_TEXT / 2 + 1);
  const ops: WireOp[] = [
    { name: 'first', input: [half, 1] },
    { name: 'second', input: [half, 2] },
    { name: 'third', input: ['small', 3] },
  ];
  const { packed, received } = travel(ops);
  assert.deepEqual(packed.inputs, [[half, 2]]);
  assert.equal(received.length, 3);
  assert.deepEqual(received.map((op) => op.name), ['first', 'second', 'third']);
  assert.deepEqual(received.map((op) => (op.input as unknown[])[1]), [1, 2, 3]);
  assert.ok(received.slice(0, 2).every((op) => (op.input as string[])[0] === half));
});
