/** The writer thread: owns the only read-write connection and serializes every mutation. */
import { enableCompileCache } from 'node:module';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { BackendThreads } from '../src/engine/backend.ts';
import type { WorkerConfig } from '../src/engine/config.ts';
import type { FromWriter, ToWriter } from '../src/engine/protocol.ts';
import type { ToEarlyWriter } from '../src/engine/early-writer.ts';

// What the thread loads next is compiled once per machine and then read from Node's cache
// (NODE_DISABLE_COMPILE_CACHE=1 turns it off): a store's threads start in a fraction of the time.
enableCompileCache();
const port = parentPort!;
// A writer started early (src/engine/early-writer.ts) is sent its configuration once the
// store's options are checked; meanwhile it loads how it runs operations, which its first
// one (often the store's first read, see ReaderClient) would otherwise wait for, and the
// writer of the backend it is told the store is likely on.
if (!workerData) void import('../src/engine/handlers.ts');
const config = (workerData as WorkerConfig | null) ?? (await configuration());

function configuration(): Promise<WorkerConfig> {
  return new Promise((resolve) => {
    const take = (message: ToEarlyWriter) => {
      if (message.t === 'start') {
        port.off('message', take);
        resolve(message.config);
      } else {
        // Only a head start: a module that fails to load here fails again, and is reported, as the store starts.
        import(message.threads).then((threads: BackendThreads) => threads.preloadWriter()).catch(() => {});
      }
    };
    port.on('message', take);
  });
}
const post = (message: FromWriter) => port.postMessage(message);
// The store's backend, and nothing of any other, is loaded here.
const threads = (await import(config.threads)) as BackendThreads;
const core = await threads.startWriter(config, post, () => receiveMessageOnPort(port)?.message as ToWriter | undefined);
if (core) port.on('message', (message: ToWriter) => core.receive(message));
