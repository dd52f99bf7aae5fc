/**
 * Progress of long work on stderr: a redrawn bar on a terminal, plain lines
 * (every 10 %, or every second when the total is unknown) otherwise, so that logs stay readable.
 */
import type { CommandIo } from './command.ts';

const WIDTH = 28;
const REDRAW_MS = 80;
const PLAIN_EVERY_MS = 1000;

export interface Progress {
  update(done: number, total?: number): void;
  finish(message: string): void;
}

export function progress(io: CommandIo, label: string, unit: string): Progress {
  const tty = io.stderr.isTTY === true;
  let lastDraw = 0;
  let lastStep = -1;
  let lastPlain = Date.now();
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      const fraction = total && total > 0 ? Math.min(1, done / total) : undefined;
      if (tty) {
        if (now - lastDraw < REDRAW_MS && fraction !== 1) return;
        lastDraw = now;
        const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '-')}] ${String(Math.floor(fraction * 100)).padStart(3)}% `;
        io.stderr.write(`\r${label} ${bar}${done}${total ? `/${total}` : ''} ${unit}\x1b[K`);
        drawn = true;
        return;
      }
      if (fraction !== undefined) {
        const step = Math.floor(fraction * 10);
        if (step === lastStep) return;
        lastStep = step;
        io.stderr.write(`${label}: ${step * 10}% (${done}/${total} ${unit})\n`);
      } else if (now - lastPlain >= PLAIN_EVERY_MS) {
        lastPlain = now;
        io.stderr.write(`${label}: ${done} ${unit}\n`);
      }
    },
    finish(message) {
      io.stderr.write(tty && drawn ? `\r${label}: ${message}\x1b[K\n` : `${label}: ${message}\n`);
    },
  };
}
