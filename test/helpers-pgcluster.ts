/**
 * A PostgreSQL server of a test's own, for what must not happen to the shared one:
 * a restart under load, a stop. It is the machine's own PostgreSQL binaries, a new data
 * directory and a free port, run as the `postgres` user. Where there are no binaries, or
 * no way to run them as that user, `privateCluster()` says why and the test skips.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Cluster {
  readonly url: string;
  start(): void;
  stop(): void;
  restart(): void;
  remove(): void;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().at(-1);
  const dir = version && join(root, version, 'bin');
  return dir && existsSync(join(dir, 'pg_ctl')) ? dir : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * `runuser`, found by absolute path: it lives in /usr/sbin or /sbin, which a non-login
 * shell's PATH often leaves out.
 */
function runuser(): string | undefined {
  return ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser', '/bin/runuser'].find((path) => existsSync(path));
}

/** Why a private cluster cannot run here, or undefined when it can. */
export function privateClusterUnavailable(): string | undefined {
  if (!binDir()) return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  if (!runuser()) return 'no runuser in /usr/sbin, /sbin, /usr/bin or /bin (util-linux) to start PostgreSQL as the postgres user';
  if (process.getuid?.() !== 0) return 'running a private PostgreSQL needs root (to start it as the postgres user)';
  if (spawnSync('id', ['postgres']).status !== 0) return 'no postgres user';
  return undefined;
}

export async function privateCluster(): Promise<Cluster> {
  const bin = binDir()!;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-pg-'));
  chmodSync(dir, 0o700);
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = (command: string, args: string[]) =>
    execFileSync(runuser()!, ['-u', 'postgres', '--', join(bin, command), ...args], { stdio: 'pipe', timeout: 60_000 });
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const pgCtl = (action: string, extra: string[] = []) =>
    asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, ...extra, action]);
  pgCtl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => pgCtl('start'),
    stop: () => pgCtl('stop', ['-m', 'fast']),
    restart: () => pgCtl('restart', ['-m', 'fast']),
    remove: () => {
      try {
        pgCtl('stop', ['-m', 'immediate']);
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
