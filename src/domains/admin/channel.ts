/**
 * A side channel between an operation running in a worker and the call waiting for
 * it on the main thread: backup progress, and export chunks with acknowledgements so
 * that a slow output (a pipe, a disk) slows the reader down instead of filling memory.
 * A `BroadcastChannel` name is plain data, so it travels in the op's input.
 */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { FlowstoreError } from '../../errors.ts';

/** Chunks a worker may send before it waits for the first acknowledgement. */
const WINDOW = 4;

export function channelName(purpose: string): string {
  return `flowstore:${purpose}:${randomUUID()}`;
}

/** The worker's end: `send` resolves once the receiver has room for more. */
export class ChunkSender<T> {
  readonly #channel: BroadcastChannel;
  readonly #window: number;
  #sent = 0;
  #acked = 0;
  #aborted = false;
  #wake: (() => void) | undefined;

  constructor(name: string, window = WINDOW) {
    this.#channel = new BroadcastChannel(name);
    this.#window = window;
    this.#channel.onmessage = (event) => {
      const data = (event as MessageEvent).data as { ack?: number; abort?: boolean };
      if (data.abort) this.#aborted = true;
      if (typeof data.ack === 'number') this.#acked = Math.max(this.#acked, data.ack);
      this.#wake?.();
    };
  }

  /** Fire and forget (progress). */
  post(message: T): void {
    this.#channel.postMessage({ seq: 0, message });
  }

  async send(message: T): Promise<void> {
    this.#checkAborted();
    this.#channel.postMessage({ seq: ++this.#sent, message });
    while (this.#sent - this.#acked >= this.#window) await this.#next();
  }

  /** Waits until every chunk sent has been handled by the receiver. */
  async drain(): Promise<void> {
    while (this.#acked < this.#sent) await this.#next();
  }

  #next(): Promise<void> {
    this.#checkAborted();
    return new Promise<void>((resolve) => {
      this.#wake = () => {
        this.#wake = undefined;
        resolve();
      };
    }).then(() => this.#checkAborted());
  }

  #checkAborted(): void {
    if (this.#aborted) throw new FlowstoreError('FLOWSTORE_CLOSED', 'the receiver stopped reading');
  }

  close(): void {
    this.#channel.close();
  }
}

/** The main thread's end: handles chunks one at a time, in order, and acknowledges each. */
export class ChunkReceiver<T> {
  readonly #channel: BroadcastChannel;
  #chain: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(name: string, handle: (message: T) => void | Promise<void>) {
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (event) => {
      const { seq, message } = (event as MessageEvent).data as { seq: number; message: T };
      this.#chain = this.#chain.then(async () => {
        if (this.#failure !== undefined) return;
        try {
          await handle(message);
          if (seq > 0) this.#channel.postMessage({ ack: seq });
        } catch (error) {
          this.#failure = error;
          this.#channel.postMessage({ abort: true });
        }
      });
    };
  }

  /** Waits for every chunk received so far; rethrows what a handler threw. */
  async settle(): Promise<void> {
    await this.#chain;
    if (this.#failure !== undefined) throw this.#failure;
  }

  close(): void {
    this.#channel.close();
  }
}
