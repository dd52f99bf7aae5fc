/** Child processes for lock, crash and multi-process tests: real processes on the same file. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Starts a fixture with this process's Node (24, which has node:sqlite). */
export function run(name: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [fixture(name), ...args], { stdio: 'pipe' });
}

/** Resolves when the child prints `line` on stdout. */
export function waitForLine(child: ChildProcessWithoutNullStreams, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.split('\n').includes(line)) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing ${line}`)));
  });
}

/** Collects stdout lines until the child exits; resolves with them and the exit code. */
export function collect(child: ChildProcessWithoutNullStreams): Promise<{ lines: string[]; code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let out = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ lines: out.split('\n').filter(Boolean), code, signal, stderr }));
  });
}

/**
 * Starts the writer fixture, collects every run id it reports acknowledged, and kills it
 * with SIGKILL once `after` have been: resolves with those ids and how the child ended.
 */
export async function killWriterAfter(args: string[], after: number): Promise<{ acknowledged: string[]; signal: NodeJS.Signals | null }> {
  const child = run('writer-process.ts', args);
  const acknowledged: string[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    acknowledged.push(...lines);
    if (acknowledged.length >= after && !child.killed) child.kill('SIGKILL');
  });
  const { signal } = await collect(child);
  return { acknowledged, signal };
}

/** How long a child may take to exit after SIGTERM before it is killed and the test fails: a bound on a hang, not on speed. */
const EXIT_GRACE_MS = 60_000;

/**
 * Sends SIGTERM and waits for the child to exit; one still running after EXIT_GRACE_MS is
 * killed (SIGKILL), and the call rejects saying so: a close that hangs fails its test
 * instead of holding the test process open.
 */
export async function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const ended = collect(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(resolve, EXIT_GRACE_MS, 'late'); });
  const outcome = await Promise.race([ended, late]);
  clearTimeout(timer);
  if (outcome !== 'late') return;
  child.kill('SIGKILL');
  await ended;
  throw new Error(`child ${child.pid} did not exit within ${EXIT_GRACE_MS} ms of SIGTERM; killed`);
}
