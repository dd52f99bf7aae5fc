/**
 * Issue 15's proof: a million writes issued without awaiting any, in a child process so
 * that its peak RSS is its own. The bound: what a queued small write was measured to cost
 * in RSS at the default mark (the queue's live data, about 0.6 KB an operation, plus the
 * garbage the heaps hold beside it), 8 KB for each operation the mark admits, over a
 * fixed allowance for the heaps of the threads growing under the burst itself, which
 * they do even with a mark of 1,024. Without the mark the same run grows by ~800 MB.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_HIGH_WATER_MARK } from '../src/options.ts';
import { tempDir } from './helpers.ts';
import { collect, run } from './helpers-process.ts';

const WRITES = 1_000_000;
/** How many writes the fixture issues between two turns of the event loop (and a drain). */
const CHUNK = 10_000;
const KB_PER_ADMITTED_OP = 8;
const FIXED_KB = 192 * 1024;

test('a million unawaited writes: bounded RSS, every accepted write stored, a read in the middle answers within a second', async (t) => {
  const file = join(tempDir(t), 'flood.db');
  const { lines, code, stderr } = await collect(run('flood.ts', [file, String(DEFAULT_HIGH_WATER_MARK), String(WRITES), String(CHUNK)]));
  assert.equal(code, 0, stderr);
  const result = JSON.parse(lines.at(-1)!) as {
    accepted: number; acceptedSum: number; codes: Record<string, number>; stored: number; storedSum: number;
    readMs: number; warmKb: number; peakKb: number; writes: { peak: number; rejected: number };
  };
  assert.deepEqual(Object.keys(result.codes), ['FLOWSTORE_OVERLOADED'], 'refusals are the only failures');
  assert.equal(result.accepted + result.codes.FLOWSTORE_OVERLOADED!, WRITES);
  // The caller yields every CHUNK writes and then waits for drained() (half the mark) if asked: each chunk finds at least that much room.
  assert.ok(result.accepted >= (WRITES / CHUNK) * Math.min(CHUNK, DEFAULT_HIGH_WATER_MARK / 2), `writes accepted after each drain (${result.accepted})`);
  assert.equal(result.stored, result.accepted);
  assert.equal(result.storedSum, result.acceptedSum, 'the stored writes are exactly the accepted ones');
  assert.ok(result.writes.peak <= DEFAULT_HIGH_WATER_MARK);
  assert.ok(result.readMs >= 0 && result.readMs < 1000, `the read took ${result.readMs} ms`);
  const bound = FIXED_KB + DEFAULT_HIGH_WATER_MARK * KB_PER_ADMITTED_OP;
  const grown = result.peakKb - result.warmKb;
  assert.ok(grown < bound, `peak RSS grew by ${grown} KB over the warmed-up store, bound ${bound} KB`);
});
