/** Writing to a Node stream with its backpressure respected, and its errors surfaced. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export async function writeChunk(stream: Writable, text: string): Promise<void> {
  if (stream.destroyed || stream.errored) throw stream.errored ?? new Error('the output stream is closed');
  if (stream.write(text)) return;
  // 'drain', or the error that stopped the stream.
  await once(stream, 'drain');
}
