/** What the bench cases share: the "N operations, 64 in flight" driver, a raw connection with a domain's schema, and measuring probes. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CHECKPOINT_INTERVAL_MS } from '../src/backends/sqlite/checkpointer-core.ts';
import type { BenchContext } from './case.ts';

/** Operations outstanding at once in the concurrent cases, as the issues specify. */
export const IN_FLIGHT = 64;

/** Runs `count` operations keeping {@link IN_FLIGHT} of them outstanding at once. */
export async function inFlight(count: number, run: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await run(next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

/**
 * Untimed, after a stretch of flowstore writes: waits out the checkpoint that copies them
 * into the database file in the background, so that the raw side, measured next, does
 * not share the disk with it.
 */
export function backgroundDone(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2 * CHECKPOINT_INTERVAL_MS + 50));
}

/**
 * A raw node:sqlite connection, WAL, with flowstore's migration `file` applied as is
 * (`null` for a file flowstore has already created).
 */
export function openRaw(ctx: BenchContext, name: string, file: string | null, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): DatabaseSync {
  const db = new DatabaseSync(join(ctx.dir, name));
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};`);
  if (file !== null) db.exec(readFileSync(new URL(`../migrations/sqlite/${file}`, import.meta.url), 'utf8'));
  return db;
}

/**
 * The process's peak RSS while a case runs, sampled every 10 ms (the cases share one
 * process, so `resourceUsage().maxRSS`, the peak since it started, would not tell them apart).
 */
export function rssPeak(): { readonly notes: () => Record<string, number>; stop(): void } {
  const startMb = process.memoryUsage().rss / 1e6;
  let peakMb = startMb;
  const timer = setInterval(() => { peakMb = Math.max(peakMb, process.memoryUsage().rss / 1e6); }, 10);
  timer.unref();
  return {
    notes: () => ({ rssAtSetupMB: Math.round(startMb), peakRssMB: Math.round(peakMb) }),
    stop: () => clearInterval(timer),
  };
}

/** The body of {@link idleProcessTimer}'s process: a 1 ms timer, its longest wait between a "start" and a "stop". */
const IDLE_TIMER = `
let last = performance.now();
let worst = 0;
setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last); last = now; }, 1);
process.on('message', (m) => { if (m === 'start') worst = 0; else process.send(worst); });
process.on('disconnect', () => process.exit(0));
`;

/**
 * A process of its own that does nothing but run a 1 ms timer: how long it waits, at worst,
 * while a case runs beside it is what the machine alone does to any thread's timer (the
 * cores the case's threads and the server take, the host), with no code of the case in it.
 */
export async function idleProcessTimer(): Promise<{ start(): void; stop(): Promise<number>; close(): void }> {
  const child = spawn(process.execPath, ['-e', IDLE_TIMER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await once(child, 'spawn');
  return {
    start: () => child.send('start'),
    stop: async () => {
      child.send('stop');
      const [worst] = await once(child, 'message');
      return worst as number;
    },
    close: () => child.disconnect(),
  };
}
