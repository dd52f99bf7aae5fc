/** The writer thread: owns the only read-write connection and serializes every mutation. */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { WorkerConfig } from '../src/engine/config.ts';
import type { ToWriter } from '../src/engine/protocol.ts';
import { muteSqliteWarning } from '../src/engine/thread-warnings.ts';

muteSqliteWarning();
const { WriterCore } = await import('../src/engine/writer-core.ts');

const port = parentPort!;
const core = await WriterCore.start(
  workerData as WorkerConfig,
  (message) => port.postMessage(message),
  () => receiveMessageOnPort(port)?.message as ToWriter | undefined,
);
if (core) port.on('message', (message: ToWriter) => core.receive(message));
