/**
 * A TCP proxy in front of a PostgreSQL server that can cut a connection at one exact
 * point: just after the client sent COMMIT, before the server's answer comes back. It
 * is how a test makes "COMMIT was sent, the answer was lost" happen on purpose, with the
 * real driver and the real server on either side.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface CommitCutter {
  readonly url: string;
  /** The next connection that sends a COMMIT is cut right after it, once. */
  cutAfterNextCommit(): void;
  close(): Promise<void>;
}

export async function commitCutter(target: string): Promise<CommitCutter> {
  const upstream = new URL(target);
  let armed = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const server = connect(Number(upstream.port || 5432), upstream.hostname);
    sockets.add(client).add(server);
    let cut = false;
    client.on('data', (chunk) => {
      server.write(chunk);
      if (armed && chunk.includes('COMMIT')) {
        armed = false;
        cut = true;
        // Let the COMMIT reach the server; its answer never reaches the client.
        server.once('drain', () => {});
        setTimeout(() => { client.destroy(); server.destroy(); }, 50);
      }
    });
    server.on('data', (chunk) => { if (!cut) client.write(chunk); });
    const end = () => { client.destroy(); server.destroy(); sockets.delete(client); sockets.delete(server); };
    client.on('close', end).on('error', end);
    server.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    cutAfterNextCommit: () => { armed = true; },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
