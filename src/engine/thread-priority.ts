/**
 * A worker thread's scheduling priority. On Linux each thread has a nice value of its own,
 * set with setpriority() on the thread's id, which `os.setPriority` passes through; other
 * systems set it for the whole process only, so there nothing is changed. Raising a
 * thread's nice value needs no privilege; lowering it again would.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers the calling thread's priority by `steps` nice steps (to 19 at most), where threads
 * have a priority of their own. Priority is a preference: if the system refuses, the
 * thread goes on as it is.
 */
export function lowerThreadPriority(steps: number): void {
  if (process.platform !== 'linux' || steps === 0) return;
  try {
    // The thread's id, as Linux names it in /proc/self/task.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, Math.min(19, getPriority(tid) + steps));
  } catch {
    // left at the caller's priority
  }
}
