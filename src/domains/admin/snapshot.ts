/** Runs async work inside one read transaction, so that every step sees one snapshot. */
import type { OpContext } from '../../engine/op.ts';
import type { AdminStatements } from './statements.ts';

export function inSnapshot<T>(ctx: OpContext<AdminStatements>, work: () => Promise<T>): Promise<T> {
  // On the writer (inside a transaction) the snapshot is already there.
  return ctx.writable ? work() : ctx.sql.snapshot(work);
}
