/**
 * `flowstore ui` as a person uses it: headless Chromium (Debian's, driven by playwright-core)
 * opens every page of the demo's store, filters, searches, follows links and graph nodes,
 * watches counters move while a second process writes runs or works queue jobs, and finds
 * stored markup shown as text.
 * Without a Chromium these tests are skipped and say why. With FLOWSTORE_UI_SCREENSHOTS=<dir>
 * (`npm run screenshots` uses docs/ui) they also save the README's screenshots there.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { fixture } from './helpers-process.ts';
import { demoPages, DESKTOP, everyPageOpens, go, launch, open, PHONE, queueCountsLive, settled, shoot, SHOTS, SKIP } from './fixtures/ui-browser.ts';
import { LG_CHAT, LG_FORKED } from './fixtures/ui-langgraph.ts';
import { buildDemoStore, runQueueWriter, startUi, XSS_ERROR, XSS_EVENT, XSS_RUN, type UiProcess } from './ui-fixture.ts';

// Functions given to page.evaluate and waitForFunction run in the page: the page's globals they use.
declare const document: { querySelector(selector: string): { textContent: string | null } | null };
declare const location: { hash: string };

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('flowstore ui in Chromium', { skip: SKIP }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-ui-browser-'));
  let db: string;
  let liveDb: string;
  let ui: UiProcess;
  let context: BrowserContext;
  let hash: string;
  let watcher: DatabaseSync;
  let versionBefore: number;
  const dataVersion = () => (watcher.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;

  before(async () => {
    db = await buildDemoStore(dir, 60);
    liveDb = join(dir, 'live.db');
    copyFileSync(db, liveDb);
    hash = sha256(db);
    // data_version, read again on this same connection, changes if any other connection commits.
    watcher = new DatabaseSync(db, { readOnly: true });
    versionBefore = dataVersion();
    [ui, context] = await Promise.all([startUi(db), launch(dir)]);
  });

  after(async () => {
    await context?.close();
    if (ui && ui.child.exitCode === null) await ui.stop();
    watcher?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every page opens with its content, without a script error, a CSP refusal, a dialog or stray text', async () => {
    const { page, problems } = await open(context, ui.url);
    await everyPageOpens(page, await demoPages(page, ui.url));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('runs: filter by status and pipeline, then page on', async () => {
    const { page, problems } = await open(context, `${ui.url}#/runs`);
    await page.selectOption('[data-testid="filter-status"]', 'failed');
    await page.waitForFunction(() => location.hash.includes('status=failed'));
    await settled(page);
    const statuses = await page.locator('[data-testid="runs-table"] td[data-label="status"]').allInnerTexts();
    assert.ok(statuses.length >= 2);
    assert.deepEqual(new Set(statuses), new Set(['failed']));
    await page.selectOption('[data-testid="filter-pipeline"]', 'etl');
    await page.waitForFunction(() => location.hash.includes('pipeline=etl'));
    await settled(page);
    const pipelines = await page.locator('[data-testid="runs-table"] td[data-label="pipeline"]').allInnerTexts();
    assert.ok(pipelines.length >= 1);
    assert.deepEqual(new Set(pipelines), new Set(['etl.toml']));
    assert.deepEqual(new Set(await page.locator('[data-testid="runs-table"] td[data-label="status"]').allInnerTexts()), new Set(['failed']));

    await go(page, '#/runs');
    const first = await page.locator('[data-testid="run-link"]').allInnerTexts();
    await page.click('[data-testid="next"]');
    await page.waitForFunction(() => location.hash.includes('page=1'));
    await settled(page);
    const second = await page.locator('[data-testid="run-link"]').allInnerTexts();
    assert.equal(first.length, 25);
    assert.ok(second.length > 0);
    assert.equal(first.filter((id) => second.includes(id)).length, 0);
    await shoot(page, 'runs');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a failed run opens from the list with its error, context and last output', async () => {
    const { page, problems } = await open(context, `${ui.url}#/runs?status=failed&pipeline=reports`);
    const link = page.locator('[data-testid="run-link"]').first();
    const id = await link.innerText();
    await link.click();
    await page.waitForFunction((runId) => decodeURIComponent(location.hash) === `#/runs/${runId}`, id);
    await settled(page);
    assert.equal(await page.locator('[data-testid="run-id"]').innerText(), id);
    assert.match(await page.locator('[data-testid="run-error"]').innerText(), /simulated failure/);
    assert.match(await page.locator('[data-testid="run-output"]').innerText(), /rows/);
    // The tree collapses and opens again.
    const branch = page.locator('[data-testid="run-output"] details').first();
    await branch.locator('summary').first().click();
    assert.equal(await branch.getAttribute('open'), null);
    await shoot(page, 'run');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('events: the search box runs the full-text search of searchEvents', async () => {
    const { page, problems } = await open(context, `${ui.url}#/events`);
    await page.fill('[data-testid="event-search"]', 'TRANSFORM completed');
    await page.press('[data-testid="event-search"]', 'Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/events?q='));
    await settled(page);
    const contents = await page.locator('[data-testid="events-table"] td[data-label="content"]').allInnerTexts();
    assert.ok(contents.length > 0);
    for (const content of contents) assert.match(content, /transform completed/);
    await shoot(page, 'events');
    await page.fill('[data-testid="event-search"]', 'nothing-like-this-anywhere');
    await page.press('[data-testid="event-search"]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('nothing-like-this'));
    await settled(page);
    assert.equal(await page.locator('[data-testid="events-table"]').count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('DAGs: open one from the list and follow a node of its graph to its artifacts', async () => {
    const { page, problems } = await open(context, `${ui.url}#/runs?status=completed&pipeline=etl`);
    const id = await page.locator('[data-testid="run-link"]').first().innerText();
    await go(page, '#/dags');
    await page.fill('[data-testid="dag-jump"]', id);
    await page.press('[data-testid="dag-jump"]', 'Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/dags?from='));
    await settled(page);
    await page.locator('[data-testid="dag-link"]').first().click();
    await page.waitForFunction((dagId) => decodeURIComponent(location.hash) === `#/dags/${dagId}`, id);
    await settled(page);
    const nodes = await page.locator('[data-testid="graph"] g.node').evaluateAll((els) => els.map((el) => el.getAttribute('data-node')));
    assert.deepEqual(new Set(nodes), new Set(['ingest:hourly', 'clean', 'transform', 'publish']));
    assert.equal(await page.locator('[data-testid="graph"] path.edge').count(), 3);
    await page.click('[data-testid="graph"] g.node[data-node="publish"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="node-name"]')?.textContent === 'publish');
    assert.match(await page.locator('[data-testid="node-artifacts"]').innerText(), /task: "publish"/);
    assert.equal(await page.locator('[data-testid="graph"] g.node.selected').getAttribute('data-node'), 'publish');
    assert.match(await page.evaluate(() => location.hash), /node=publish$/);
    // The URL changed in place: the page counts as shown for it.
    await settled(page);
    // The keyboard reaches the nodes too.
    await page.focus('[data-testid="graph"] g.node[data-node="clean"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="node-name"]')?.textContent === 'clean');
    await shoot(page, 'dag');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('stored markup is shown as its characters and never runs', async () => {
    const { page, problems } = await open(context, `${ui.url}#/runs?status=failed`);
    const link = page.locator('[data-testid="run-link"]', { hasText: XSS_RUN });
    assert.equal(await link.innerText(), XSS_RUN);
    assert.match(await page.locator('[data-testid="runs-table"]').innerText(), /<b>boom<\/b><script>alert\(2\)<\/script>/);
    await link.click();
    await page.waitForFunction(() => location.hash.startsWith('#/runs/%3Cimg'));
    await settled(page);
    assert.equal(await page.locator('[data-testid="run-id"]').innerText(), XSS_RUN);
    assert.match(await page.locator('[data-testid="run-error"]').innerText(), new RegExp(XSS_ERROR.replace(/[()[\]/.*+?^$|\\]/g, '\\$&')));
    await go(page, '#/events?q=blue%20build');
    assert.ok((await page.locator('[data-testid="events-table"]').innerText()).includes(XSS_EVENT));
    assert.equal(await page.locator('main img, main script, main b').count(), 0);
    await page.waitForTimeout(300);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a page served under another name (DNS rebinding) gets 421 and no data', async () => {
    const rebinding = await launch(dir, ['--host-resolver-rules=MAP rebind.test 127.0.0.1']);
    try {
      const page = await rebinding.newPage();
      const response = await page.goto(`http://rebind.test:${ui.port}/`);
      assert.equal(response?.status(), 421);
      // What a rebinding page's script would try: read the API from its own origin.
      const api = await page.evaluate(() => fetch('/api/runs').then(async (r) => ({ status: r.status, text: await r.text() })));
      assert.equal(api.status, 421);
      assert.doesNotMatch(api.text, /runId/);
    } finally {
      await rebinding.close();
    }
  });

  test('screenshots at phone width read as well as on a desktop', { skip: SHOTS ? false : 'FLOWSTORE_UI_SCREENSHOTS not set' }, async () => {
    const deadLetter = (await (await fetch(`${ui.url}api/queue/jobs?queue=emails&state=failed`)).json() as { items: { id: number }[] }).items[0]!.id;
    const checkout = (await (await fetch(`${ui.url}api/openworkflow/runs?workflow=checkout&status=completed`)).json() as { items: { id: string }[] }).items[0]!.id;
    for (const viewport of [DESKTOP, PHONE]) {
      const { page, problems } = await open(context, `${ui.url}#/runs`, viewport);
      const pages = [
        ['#/runs', 'runs'], ['#/dags/dag-states', 'dag-states'], ['#/aaow/llm', 'llm'], ['#/aaow/pools', 'pools'],
        ['#/definitions?file=broken.toml', 'definitions'], ['#/agent/deployer?prefix=ops', 'agent'], ['#/langgraph', 'langgraph-threads'],
        [`#/langgraph/threads/${LG_FORKED}`, 'langgraph-thread'], [`#/langgraph/threads/${LG_CHAT}`, 'langgraph-messages'], ['#/langgraph/memory', 'langgraph-memory'],
        ['#/queue/jobs', 'queue-jobs'], [`#/queue/jobs/${deadLetter}`, 'queue-job'], ['#/queue/schedules', 'queue-schedules'],
        ['#/openworkflow', 'openworkflow-runs'], [`#/openworkflow/runs/${checkout}`, 'openworkflow-run'],
      ] as const;
      for (const [hash, name] of pages) {
        await go(page, hash);
        if (name === 'pools') await page.locator('[data-testid="pools"] summary').first().click();
        if (name === 'queue-job') await page.locator('[data-testid="job-attempts"] summary').last().click();
        if (name === 'openworkflow-run') {
          await page.locator('[data-testid="ow-steps"] .attempt-error summary').first().click();
          // The step attempts, children and signals, rather than the run's fields.
          await page.locator('[data-testid="ow-steps"]').evaluate((el) => { el.scrollIntoView({ block: 'start' }); el.ownerDocument.defaultView?.scrollBy(0, -110); });
        }
        await page.waitForTimeout(200);
        await shoot(page, name);
      }
      assert.deepEqual(problems, []);
      await page.close();
    }
  });

  test('read-only: after all that clicking, the file and its data_version are as they were', async () => {
    assert.equal(await ui.stop(), 0);
    assert.equal(dataVersion(), versionBefore);
    assert.equal(sha256(db), hash);
  });

  test('the overview counts what a second process writes, live', async () => {
    const live = await startUi(liveDb);
    try {
      for (const viewport of SHOTS ? [DESKTOP, PHONE] : [DESKTOP]) {
        const { page, problems } = await open(context, live.url, viewport);
        const runs = page.locator('[data-testid="count-runs"]');
        await runs.waitFor();
        const before = Number((await runs.innerText()).replaceAll(',', ''));
        const writes = 30;
        const writer = spawn(process.execPath, [fixture('ui-writer.ts'), liveDb, String(writes), '6000'], { stdio: ['ignore', 'pipe', 'inherit'] });
        const done = new Promise<number | null>((resolve) => writer.once('exit', resolve));
        // Mid-run, the charts have something to show.
        await page.waitForFunction((n) => Number(document.querySelector('[data-testid="count-runs"]')?.textContent?.replaceAll(',', '')) > n, before, { timeout: 30_000 });
        await page.waitForTimeout(3000);
        await shoot(page, 'overview', true);
        assert.equal(await done, 0);
        await page.waitForFunction((n) => Number(document.querySelector('[data-testid="count-runs"]')?.textContent?.replaceAll(',', '')) === n, before + writes, { timeout: 30_000 });
        assert.deepEqual(problems, []);
        await page.close();
      }
    } finally {
      await live.stop();
    }
  });

  test('the queue pages count what another process enqueues and works, live', async () => {
    const live = await startUi(liveDb);
    try {
      for (const viewport of SHOTS ? [DESKTOP, PHONE] : [DESKTOP]) {
        const { page, problems } = await open(context, live.url, viewport);
        const queue = `live-${viewport.width}`;
        await queueCountsLive(page, queue, 40, () => runQueueWriter(liveDb, [], queue, 40, 6000), 'queue');
        assert.deepEqual(problems, []);
        await page.close();
      }
    } finally {
      await live.stop();
    }
  });
});
