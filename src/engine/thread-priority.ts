/**
 * A worker thread's scheduling priority. On Linux each thread has a nice value of its own,
 * set with setpriority() on the thread's id, which `os.setPriority` passes through; other
 * systems set it for the whole process only, so there nothing is changed. Raising a
 * thread's nice value needs no privilege; lowering it again would.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The calling thread's id, as Linux names it in /proc/self/task. */
export function linuxThreadId(): number {
  return Number(readlinkSync('/proc/thread-self').split('/').pop());
}

/**
 * Lowers the calling thread's priority by `steps` nice steps (to 19 at most). Returns the
 * thread's nice value after, or undefined where threads have no priority of their own or
 * the system refused: priority is a preference, so the thread goes on either way.
 */
export function lowerThreadPriority(steps: number): number | undefined {
  if (process.platform !== 'linux' || steps === 0) return undefined;
  try {
    const tid = linuxThreadId();
    setPriority(tid, Math.min(19, getPriority(tid) + steps));
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
