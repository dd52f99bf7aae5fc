/** Runs async work on a reader inside one read transaction, so that every step sees one snapshot. */
import type { OpContext } from '../../engine/op.ts';
import type { AdminStatements } from './sql.ts';

export async function inSnapshot<T>(ctx: OpContext<AdminStatements>, work: () => Promise<T>): Promise<T> {
  // On the writer (inside a transaction) the snapshot is already there.
  if (ctx.writable) return work();
  ctx.sql.db.exec('BEGIN');
  try {
    ctx.sql.snapshot.get();
    return await work();
  } finally {
    if (ctx.sql.db.isTransaction) ctx.sql.db.exec('COMMIT');
  }
}
