/**
 * aaow's `beginTransaction()` on top of `store.transaction(fn)`: `fn` waits on a gate that
 * `commit()` opens and `rollback()` breaks, so the engine commits or rolls back the
 * writes made through the transaction's namespaces in between.
 */
import { FlowstoreError } from '../errors.ts';
import type { Store } from '../store.ts';
import type { AaowApi } from '../domains/aaow/api.ts';
import type { Transaction } from '../domains/aaow/types.ts';

const ROLLBACK = Symbol('flowstore.aaow.rollback');

export interface OpenTransaction extends Transaction {
  /** The transaction's namespace, once the writer has begun it; rejects when it could not begin. */
  readonly api: Promise<AaowApi>;
  /** True once commit() or rollback() was called. */
  readonly finished: boolean;
}

/**
 * Begins at once; until `commit()` or `rollback()` is called the caller routes its
 * calls to `api`, even past a timeout, so that no write escapes the transaction.
 */
export function openTransaction(store: Store, onEnd: () => void): OpenTransaction {
  let open!: () => void;
  let abort!: (reason: unknown) => void;
  const gate = new Promise<void>((resolve, reject) => { open = resolve; abort = reject; });
  // A rollback before the writer has begun breaks the gate before fn awaits it.
  gate.catch(() => {});
  let entered!: (api: AaowApi) => void;
  const ready = new Promise<AaowApi>((resolve) => { entered = resolve; });
  const done = store.transaction(async (tx) => {
    entered(tx.aaow);
    await gate;
  });
  done.catch(() => {});
  // If the transaction never begins (closed store, busy file), `ready` never resolves: race it with `done`.
  const api = Promise.race([ready, done.then(() => ready)]);
  api.catch(() => {});
  let finished = false;

  const finish = (): void => {
    if (finished) throw new FlowstoreError('FLOWSTORE_CLOSED', 'the transaction has already been committed or rolled back');
    finished = true;
  };

  return {
    api,
    get finished() {
      return finished;
    },
    async commit(): Promise<void> {
      finish();
      open();
      try {
        await done;
      } finally {
        onEnd();
      }
    },
    async rollback(): Promise<void> {
      finish();
      abort(ROLLBACK);
      try {
        await done;
      } catch (error) {
        // Rolled back already, by this call or by the engine's timeout: either way nothing was kept.
        if (error !== ROLLBACK && (error as FlowstoreError).code !== 'FLOWSTORE_TX_TIMEOUT') throw error;
      } finally {
        onEnd();
      }
    },
  };
}
