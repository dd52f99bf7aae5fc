import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../src/ui/routes.ts';
import { LG_FORKED, LG_LARGE } from './fixtures/ui-langgraph.ts';
import { buildDemoStore, copyToPostgres, startUi, XSS_RUN, type UiProcess } from './ui-fixture.ts';

const BIN = fileURLToPath(new URL('../bin/flowstore.js', import.meta.url));

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function get(port: number, path: string, options: { host?: string; method?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Asks every API route of the demo store, with the parameters it needs; returns those. */
async function everyRouteAnswers(port: number): Promise<Record<string, string>> {
  const needs: Record<string, string> = {
    '/api/run': `?id=${encodeURIComponent(XSS_RUN)}`, '/api/dag': '?id=dag-states', '/api/agent': '?prefix=ops&id=deployer',
    '/api/langgraph/thread': `?id=${LG_FORKED}`, '/api/langgraph/checkpoint': `?thread=${LG_FORKED}`, '/api/langgraph/value': `?thread=${LG_LARGE}&channel=topic`,
  };
  const sessions = JSON.parse((await get(port, '/api/aaow/sessions')).body) as { items: { id: string }[] };
  needs['/api/aaow/session'] = `?id=${encodeURIComponent(sessions.items[0]!.id)}`;
  const deadLetters = JSON.parse((await get(port, '/api/queue/jobs?queue=emails&state=failed')).body) as { items: { id: number }[] };
  needs['/api/queue/job'] = `?id=${deadLetters.items[0]!.id}`;
  const owRuns = JSON.parse((await get(port, '/api/openworkflow/runs?workflow=checkout&status=completed')).body) as { items: { id: string }[] };
  needs['/api/openworkflow/run'] = `?id=${owRuns.items[0]!.id}`;
  for (const route of Object.keys(ROUTES)) {
    const reply = await get(port, route + (needs[route] ?? ''));
    assert.equal(reply.status, 200, `${route}: ${reply.body}`);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    JSON.parse(reply.body);
  }
  return needs;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('flowstore ui: the server', () => {
  let db: string;
  let ui: UiProcess;
  let hash: string;
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-ui-'));
  before(async () => {
    db = await buildDemoStore(dir, 12);
    hash = sha256(db);
    ui = await startUi(db);
  });
  after(async () => {
    if (ui && ui.child.exitCode === null) await ui.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('listens on 127.0.0.1 and serves the page with its security headers', async () => {
    assert.equal(new URL(ui.url).hostname, '127.0.0.1');
    const page = await get(ui.port, '/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    for (const asset of ['/js/app.js', '/app.css', '/vendor/uPlot.esm.js', '/vendor/uPlot.min.css', '/vendor/dagre.esm.js']) {
      const reply = await get(ui.port, asset);
      assert.equal(reply.status, 200, asset);
      assert.ok(reply.headers['content-security-policy'], asset);
    }
  });

  test('every API route answers JSON for the demo store', async () => {
    await everyRouteAnswers(ui.port);
  });

  test('a Host that is not its own is refused with 421 (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${ui.port}`, `localhost.evil.example:${ui.port}`, `127.0.0.1:${ui.port + 1}`]) {
      assert.equal((await get(ui.port, '/', { host })).status, 421, host);
      assert.equal((await get(ui.port, '/api/runs', { host })).status, 421, host);
    }
    assert.equal((await get(ui.port, '/', { host: `localhost:${ui.port}` })).status, 200);
  });

  test('only GET: anything else is 405', async () => {
    const reply = await get(ui.port, '/api/runs', { method: 'POST' });
    assert.equal(reply.status, 405);
    assert.equal(reply.headers.allow, 'GET, HEAD');
  });

  test('bad parameters are 400 FLOWSTORE_INVALID_ARGUMENT, unknown records 404 FLOWSTORE_NOT_FOUND', async () => {
    const cases: [string, number, string][] = [
      ['/api/runs?status=bogus', 400, 'FLOWSTORE_INVALID_ARGUMENT'],
      ['/api/runs?page=-1', 400, 'FLOWSTORE_INVALID_ARGUMENT'],
      ['/api/runs?limit=100000', 400, 'FLOWSTORE_INVALID_ARGUMENT'],
      ['/api/run', 400, 'FLOWSTORE_INVALID_ARGUMENT'],
      ['/api/run?id=no-such-run', 404, 'FLOWSTORE_NOT_FOUND'],
      ['/api/agent?prefix=a:b&id=x', 400, 'FLOWSTORE_INVALID_ARGUMENT'],
      ['/api/aaow/session?id=none', 404, 'FLOWSTORE_NOT_FOUND'],
      ['/api/queue/jobs?state=delayed', 400, 'FLOWSTORE_INVALID_ARGUMENT'],
      ['/api/queue/job?id=0', 400, 'FLOWSTORE_INVALID_ARGUMENT'],
      ['/api/queue/job?id=999999', 404, 'FLOWSTORE_NOT_FOUND'],
    ];
    for (const [path, status, code] of cases) {
      const reply = await get(ui.port, path);
      assert.equal(reply.status, status, path);
      assert.equal(JSON.parse(reply.body).error.code, code, path);
    }
    assert.equal((await get(ui.port, '/nothing-here')).status, 404);
  });

  test('the live stream starts with the samples so far', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: ui.port, path: '/api/live', headers: { host: `127.0.0.1:${ui.port}` } }, (res) => {
        assert.match(String(res.headers['content-type']), /^text\/event-stream/);
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          text += d;
          if (text.includes('event: sample')) { req.destroy(); resolve(text); }
        });
      });
      req.on('error', reject);
      req.end();
    });
    const history = JSON.parse(/event: history\ndata: (.*)\n/.exec(body)![1]!) as { counts: { runs: { total: number } } }[];
    assert.ok(history.length >= 1);
    assert.equal(history[0]!.counts.runs.total, 13);
  });

  test('Ctrl-C stops it with exit code 0, and the file is as it was', async () => {
    assert.equal(await ui.stop(), 0);
    assert.equal(sha256(db), hash);
  });

  test('usage errors exit 2, a missing database 1', () => {
    const bad = spawnSync(process.execPath, [BIN, 'ui', db, '--port', 'x'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    const missing = spawnSync(process.execPath, [BIN, 'ui', join(db, '..', 'absent.db'), '--port', '0'], { encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^FLOWSTORE_NOT_FOUND/);
  });
});

describe('flowstore ui on a postgres:// URL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-ui-pg-'));
  let onFile: UiProcess;
  let onServer: UiProcess;
  let remove: () => Promise<void>;
  before(async () => {
    // The demo store, and the same moved to a schema of its own as a user would with export | import.
    const db = await buildDemoStore(dir, 12);
    const server = await copyToPostgres(db);
    remove = server.remove;
    [onFile, onServer] = await Promise.all([startUi(db), startUi(server.path, server.args)]);
  });
  after(async () => {
    for (const ui of [onFile, onServer]) if (ui && ui.child.exitCode === null) await ui.stop();
    await remove?.();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every API route answers JSON, and a run, a DAG, an agent, LangGraph\'s, the queue\'s and OpenWorkflow\'s pages read as they do from the file', async () => {
    const needs = await everyRouteAnswers(onServer.port);
    // What the clock changes between two reads (the time of the answer, a due job's wait, a schedule's next tick) is left out.
    const steady = (text: string) => JSON.parse(text, (key, value: unknown) => (key === 'now' || key === 'oldestWaitingMs' || key === 'nextTick' ? undefined : value));
    for (const route of ['/api/run', '/api/dag', '/api/agent', '/api/langgraph/threads', '/api/langgraph/thread', '/api/langgraph/checkpoint', '/api/langgraph/value', '/api/langgraph/items',
      '/api/queue/queues', '/api/queue/jobs', '/api/queue/job', '/api/queue/schedules', '/api/openworkflow/runs', '/api/openworkflow/run', '/api/openworkflow/counts']) {
      const [file, server] = await Promise.all([onFile, onServer].map(async (ui) => steady((await get(ui.port, route + (needs[route] ?? ''))).body)));
      assert.deepEqual(server, file, route);
    }
    assert.equal(await onServer.stop(), 0);
  });
});
