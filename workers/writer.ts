/** The writer thread: owns the only read-write connection and serializes every mutation. */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { WorkerConfig } from '../src/engine/config.ts';
import type { FromWriter, ToWriter } from '../src/engine/protocol.ts';
import { muteSqliteWarning } from '../src/engine/thread-warnings.ts';

muteSqliteWarning();
const port = parentPort!;
const config = workerData as WorkerConfig;
const post = (message: FromWriter) => port.postMessage(message);
// Each backend's core is loaded only when it is the one in use.
const core = config.backend === 'postgres'
  ? await (await import('../src/backends/postgres/writer-core.ts')).PgWriterCore.start(config, post)
  : await (await import('../src/engine/writer-core.ts')).WriterCore.start(config, post, () => receiveMessageOnPort(port)?.message as ToWriter | undefined);
if (core) port.on('message', (message: ToWriter) => core.receive(message));
