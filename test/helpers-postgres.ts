/**
 * Where the PostgreSQL contract suites run: the server in FLOWSTORE_TEST_POSTGRES_URL
 * when it is set (CI sets it), otherwise PGlite (PostgreSQL in WebAssembly) served over
 * the wire protocol in this test process, so that the real `pg` code path runs. Each
 * store gets a schema of its own, dropped after its test.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { keepExtendedQueriesWhole } from './helpers-pglite.ts';

let pglite: Promise<string> | undefined;

/** True when the suites run against a real server, where the multi-host tests can run too. */
export const REAL_POSTGRES_URL = process.env.FLOWSTORE_TEST_POSTGRES_URL || undefined;

/**
 * Why a case that reads on one connection while another holds a transaction open skips on
 * PGlite: its socket server runs every connection in one session, and while one is inside
 * a transaction it serves that one alone, so the read waits for a transaction that waits for it.
 */
export const PGLITE_ONE_SESSION = 'PGlite serves one session: a read on another connection waits until the open transaction ends (set FLOWSTORE_TEST_POSTGRES_URL for a real server)';

async function startPglite(): Promise<string> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  // Port 0: the system picks a free one (a port picked here at random could be taken, by an
  // outgoing connection in the ephemeral range for one); the server reports it once listening.
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 100 });
  keepExtendedQueriesWhole(server);
  await server.start();
  // The server must not keep the test process alive once the tests are done.
  (server as unknown as { server?: { unref(): void } }).server?.unref();
  return `postgres://postgres@${server.getServerConn()}/postgres`;
}

/** The server's URL (starting PGlite the first time when there is no real server). */
export function postgresUrl(): Promise<string> {
  if (REAL_POSTGRES_URL) return Promise.resolve(REAL_POSTGRES_URL);
  pglite ??= startPglite();
  return pglite;
}

/** A new schema name; `dropSchema` removes it. */
export function newSchemaName(): string {
  return `t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
