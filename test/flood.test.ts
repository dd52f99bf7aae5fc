/**
 * Issue 24's proof: a million writes issued without awaiting any, in a child process so
 * that its peak RSS is its own. Past the high-water mark each call waits its turn holding
 * its input by reference: every write is stored, and what the store itself keeps for a
 * waiting call is a small constant (measured in live heap against the same pending calls
 * held with no store).
 *
 * Peak RSS is reported beside the floor (the same million pending calls with no store,
 * measured first in the same process) but bounded only loosely: with ~450 MB of the
 * caller's own calls live, V8 lets the heap grow up to four times the live size before its
 * next full collection (--trace-gc: 194 MB live, next mark-compact at 818 MB), so the
 * peak follows V8's pacing, not what the store holds. Measured: +530 to +670 MB over a
 * floor of ~610 MB; the store's own share, ~60 B a waiting call, is ~60 MB of it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_HIGH_WATER_MARK } from '../src/options.ts';
import { tempDir } from './helpers.ts';
import { collect, run } from './helpers-process.ts';

const WRITES = 1_000_000;
/** How many writes the fixture issues between two turns of the event loop. */
const CHUNK = 10_000;
/** The store's own live heap for one waiting call, over the caller's (~60 B measured). */
const WAITING_BYTES = 128;
/** Peak RSS over the floor: a regression to holding encoded copies (~+250 B a call) or messages would pass it. */
const LOOSE_BOUND_KB = 1024 * 1024;

interface FloodResult {
  accepted: number; acceptedSum: number; codes: Record<string, number>; stored: number; storedSum: number;
  readMs: number; floorKb: number; peakKb: number; opsPerSec: number;
  writes: { peak: number; waited: number; rejected: number };
}

async function flood(t: import('node:test').TestContext, writes: number, maxWaiting?: number): Promise<FloodResult> {
  const file = join(tempDir(t), 'flood.db');
  const args = [file, String(DEFAULT_HIGH_WATER_MARK), String(writes), String(CHUNK), ...(maxWaiting === undefined ? [] : [String(maxWaiting)])];
  const { lines, code, stderr } = await collect(run('flood.ts', args));
  assert.equal(code, 0, stderr);
  const result = JSON.parse(lines.at(-1)!) as FloodResult;
  t.diagnostic(JSON.stringify(result));
  return result;
}

test('a waiting call costs the store a small constant: ~60 B of live heap over the caller\'s own pending call', async (t) => {
  const { lines, code, stderr } = await collect(run('waiting-cost.ts', ['200000']));
  assert.equal(code, 0, stderr);
  const { floor, waiting, count } = JSON.parse(lines.at(-1)!) as { floor: number; waiting: number; count: number };
  t.diagnostic(`floor ${floor} B a call, waiting ${waiting} B a call`);
  assert.equal(count, 200_000);
  assert.ok(floor > 200, `the floor holds the caller's inputs and promises (${floor} B)`);
  assert.ok(waiting - floor < WAITING_BYTES, `a waiting call costs the store ${waiting - floor} B`);
});

test('a million unawaited writes: every one stored, a read in the middle answers within a second, peak RSS reported against the floor', async (t) => {
  const result = await flood(t, WRITES);
  assert.deepEqual(result.codes, {});
  assert.equal(result.accepted, WRITES);
  assert.equal(result.stored, WRITES);
  assert.equal(result.storedSum, (WRITES * (WRITES - 1)) / 2);
  assert.equal(result.writes.rejected, 0);
  assert.ok(result.writes.waited > WRITES / 2, `most writes waited their turn (${result.writes.waited})`);
  assert.ok(result.writes.peak <= DEFAULT_HIGH_WATER_MARK);
  assert.ok(result.readMs >= 0 && result.readMs < 1000, `the read took ${result.readMs} ms`);
  const grown = result.peakKb - result.floorKb;
  t.diagnostic(`peak RSS ${result.peakKb} KB, ${grown} KB over the floor of ${result.floorKb} KB; ${result.opsPerSec} writes/s`);
  assert.ok(grown < LOOSE_BOUND_KB, `peak RSS ${result.peakKb} KB, ${grown} KB over the floor of ${result.floorKb} KB`);
});

test('with maxWaiting set, the calls past it are refused with FLOWSTORE_OVERLOADED, and exactly the accepted ones are stored', async (t) => {
  const writes = 100_000;
  const result = await flood(t, writes, 1000);
  assert.deepEqual(Object.keys(result.codes), ['FLOWSTORE_OVERLOADED']);
  assert.equal(result.accepted + result.codes.FLOWSTORE_OVERLOADED!, writes);
  assert.ok(result.accepted >= DEFAULT_HIGH_WATER_MARK + 1000, `the mark and maxWaiting were accepted (${result.accepted})`);
  assert.equal(result.stored, result.accepted);
  assert.equal(result.storedSum, result.acceptedSum, 'the stored writes are exactly the accepted ones');
  assert.equal(result.writes.rejected, result.codes.FLOWSTORE_OVERLOADED);
});
