/**
 * The dashboard's HTTP server: the page's files, a JSON API of GET routes over the store's
 * public API (and queries.ts), and the live samples as server-sent events. It only reads.
 *
 * @example
 * ```ts
 * import { openStore } from 'flowstore';
 * import { startDashboard } from 'flowstore/ui';
 * const store = await openStore({ path: './flowstore.db' });
 * const dashboard = await startDashboard({ store, port: 4646 });
 * console.log(dashboard.url);   // http://127.0.0.1:4646/
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isFlowstoreError } from '../errors.ts';
import { loadAssets } from './assets.ts';
import { toJson } from './display.ts';
import { parseDashboardOptions, type DashboardOptions } from './options.ts';
import { ROUTES } from './routes.ts';
import { Sampler, type Sample } from './sampler.ts';
import { hostAllowed, SECURITY_HEADERS } from './security.ts';

export interface Dashboard {
  /** `http://host:port/`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Stops sampling, ends live streams, closes the server; the store stays open. */
  close(): Promise<void>;
}

const STATUS_OF_CODE: Record<string, number> = { FLOWSTORE_INVALID_ARGUMENT: 400, FLOWSTORE_NOT_FOUND: 404, FLOWSTORE_BUSY: 503, FLOWSTORE_CLOSED: 503 };
/** A comment line on idle live streams, so that proxies and browsers keep them open. */
const HEARTBEAT_MS = 15_000;

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', toJson(body));
}

/** Serves the dashboard of `store` until `close()`. Rejects with FLOWSTORE_INVALID_OPTIONS, or the listen error (EADDRINUSE…). */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { store, port, host, sampleIntervalMs, historyMs } = parseDashboardOptions(options);
  const assets = loadAssets();
  const sampler = new Sampler(store, { intervalMs: sampleIntervalMs, historyMs });
  const streams = new Set<ServerResponse>();
  let boundPort = port;

  const onSample = (sample: Sample) => {
    const frame = `event: sample\ndata: ${toJson(sample)}\n\n`;
    for (const res of streams) res.write(frame);
  };
  sampler.on('sample', onSample);
  const heartbeat = setInterval(() => { for (const res of streams) res.write(': idle\n\n'); }, HEARTBEAT_MS);
  heartbeat.unref();

  function live(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 2000\nevent: history\ndata: ${toJson(sampler.history())}\n\n`);
    streams.add(res);
    req.on('close', () => streams.delete(res));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, boundPort, host)) {
      send(res, 421, 'text/plain; charset=utf-8', 'This dashboard answers only to its own address (localhost).\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'The dashboard is read-only: GET only.\n', { allow: 'GET, HEAD' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/live') return live(req, res);
    const route = ROUTES[url.pathname];
    if (route) {
      try {
        sendJson(res, 200, await route({ store, sampler, params: url.searchParams }));
      } catch (error) {
        const code = isFlowstoreError(error) ? error.code : 'ERROR';
        sendJson(res, STATUS_OF_CODE[code] ?? 500, { error: { code, message: (error as Error)?.message ?? String(error) } });
      }
      return;
    }
    const asset = assets.get(url.pathname);
    if (asset) send(res, 200, asset.type, asset.body, { 'cache-control': 'no-cache' });
    else send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'ERROR', message: String(error) } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  await sampler.start();
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${boundPort}/`,
    port: boundPort,
    host,
    async close() {
      clearInterval(heartbeat);
      await sampler.stop();
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
