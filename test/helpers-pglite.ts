/**
 * PGlite runs every connection of its socket server in one session, one protocol message
 * at a time, and its queue keeps to one connection only inside a transaction. Outside
 * one, the Parse/Bind/Execute/Sync of two connections' extended queries interleave: one
 * connection's Execute then runs the other's unnamed portal, or finds none ("portal ""
 * does not exist", 34000). That happens whenever messages pile up behind a long
 * transaction (a 10,000-row saveCache while readers connect). This keeps the queue to a
 * connection from its first extended-query message to its Sync as well.
 */

/** What this file relies on in @electric-sql/pglite-socket 0.2's (unexported) query queue. */
interface QueuedMessage {
  readonly handlerId: number;
  readonly message: Uint8Array;
  resolve(bytes: number): void;
  reject(error: unknown): void;
  onData(data: Uint8Array): void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  readonly db: {
    isInTransaction(): boolean;
    runExclusive<T>(fn: () => Promise<T>): Promise<T>;
    execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<unknown>;
  };
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Parse, Bind, Describe, Execute, Close, Flush: a sequence is open until its Sync. */
const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);

export function keepExtendedQueriesWhole(server: unknown): void {
  const queue = (server as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || typeof queue.processQueue !== 'function' || !Array.isArray(queue.queue)) {
    throw new Error('@electric-sql/pglite-socket changed: its query queue is not where keepExtendedQueriesWhole expects it');
  }
  let open: number | null = null;
  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const holder = open ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        const index = holder === null ? 0 : this.queue.findIndex((q) => q.handlerId === holder);
        // The holder's next message has not arrived yet: its enqueue starts the queue again.
        if (index === -1) break;
        const item = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(item.message, {
            onRawData: (data) => {
              bytes += data.length;
              item.onData(data);
            },
          }));
        } catch (error) {
          open = null;
          item.reject(error);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        open = EXTENDED.has(item.message[0]!) ? item.handlerId : null;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
  const clear = queue.clearQueueForHandler.bind(queue);
  // A connection that goes away in the middle of a sequence must not hold the queue.
  queue.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId);
    if (open === handlerId) {
      open = null;
      void queue.processQueue();
    }
  };
}
