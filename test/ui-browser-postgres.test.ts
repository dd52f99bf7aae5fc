/**
 * Every page of the dashboard on a PostgreSQL store, in Chromium, as on a file: the demo
 * store moved to a schema of the test server (export, then import), each page opened with
 * its content, a LangGraph thread's fork and interrupt reached from the navigation, a dead
 * letter's attempts, an OpenWorkflow run's step attempts, signals and child, the queue's counts moving while another process works jobs on the same
 * schema, and an empty schema's pages saying what is empty. The server is FLOWSTORE_TEST_POSTGRES_URL's,
 * or PGlite served from this process when it is not set (test/helpers-postgres.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { deadLetterAttempts, demoPages, EMPTY_PAGES, emptyPagesSayEmpty, everyPageOpens, forkAndInterrupt, launch, open, openWorkflowRun, PHONE, queueCountsLive, SKIP } from './fixtures/ui-browser.ts';
import { buildDemoStore, copyToPostgres, runQueueWriter, startUi, type UiProcess } from './ui-fixture.ts';

describe('flowstore ui on PostgreSQL in Chromium', { skip: SKIP }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-ui-pg-browser-'));
  let demo: UiProcess;
  let empty: UiProcess;
  let context: BrowserContext;
  let full: Awaited<ReturnType<typeof copyToPostgres>>;
  const removes: (() => Promise<void>)[] = [];

  before(async () => {
    // One after the other: PGlite is one session, whose search_path two stores open at once would share.
    full = await copyToPostgres(await buildDemoStore(dir, 12));
    removes.push(full.remove);
    [demo, context] = await Promise.all([startUi(full.path, full.args), launch(dir)]);
  });

  after(async () => {
    await context?.close();
    for (const ui of [demo, empty]) if (ui && ui.child.exitCode === null) await ui.stop();
    for (const remove of removes) await remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every page opens with its content, without a script error, a dialog or stray text', async () => {
    const { page, problems } = await open(context, demo.url);
    assert.match(await page.locator('#store').innerText(), /^postgres/);
    await everyPageOpens(page, await demoPages(page, demo.url));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a LangGraph thread\'s history shows a fork\'s two branches and its interrupt', async () => {
    const { page, problems } = await open(context, demo.url);
    await forkAndInterrupt(page);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a dead letter\'s attempts show each worker and the error of each failed attempt', async () => {
    const { page, problems } = await open(context, demo.url);
    await deadLetterAttempts(page);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('an OpenWorkflow run\'s failed step attempt, its signals and its child, reached from the navigation', async () => {
    const { page, problems } = await open(context, demo.url);
    await openWorkflowRun(page);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the queue pages count what another process enqueues and works on the same schema, live', async () => {
    const { page, problems } = await open(context, demo.url);
    await queueCountsLive(page, 'live-postgres', 40, () => runQueueWriter(full.path, full.args, 'live-postgres', 40, 6000));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('an empty schema: every page says what is empty, at phone width', async () => {
    assert.equal(await demo.stop(), 0);
    const none = await copyToPostgres(undefined);
    removes.push(none.remove);
    empty = await startUi(none.path, none.args);
    const { page, problems } = await open(context, empty.url, PHONE);
    await emptyPagesSayEmpty(page, EMPTY_PAGES);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
