/**
 * What a first look at the dashboard tripped on, in Chromium: a store whose only agent sits
 * under `withPrefix('worker')`, a run that never said how many steps it has, one event
 * found by search; and an empty store, every page at desktop and phone width, saying what
 * is empty instead of showing an error, a pager with nothing to page, or a stray 'null'.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { openStore } from '../src/index.ts';
import { DESKTOP, EMPTY_PAGES, emptyPagesSayEmpty, follow, launch, open, PHONE, SKIP, strayText } from './fixtures/ui-browser.ts';
import { startUi, type UiProcess } from './ui-fixture.ts';

// Functions given to page.evaluate and waitForFunction run in the page: the page's globals they use.
declare const location: { hash: string };

describe('flowstore ui: what a first look trips on', { skip: SKIP }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowstore-ui-first-look-'));
  let worker: UiProcess;
  let empty: UiProcess;
  let context: BrowserContext;

  before(async () => {
    const [workerDb, emptyDb] = [join(dir, 'worker.db'), join(dir, 'empty.db')];
    const store = await openStore({ path: workerDb, readers: 1 });
    await store.agents.withPrefix('worker').saveAgentState({ agentId: 'w1', name: 'Worker one', status: 'busy', stateData: '{"job":42}' });
    await store.runs.saveState('adhoc-1', { pipelineId: 'adhoc', pipelineName: 'adhoc', pipelineVersion: '1', pipelineContext: {}, lastStepOutput: null, status: 'running', currentStepIndex: 2 });
    await store.agents.saveEvent({ sessionId: 's1', eventType: 'note', actorType: 'user', actorId: 'u1', content: 'one lonely event' });
    await store.close();
    await (await openStore({ path: emptyDb, readers: 1 })).close();
    [worker, empty, context] = await Promise.all([startUi(workerDb), startUi(emptyDb), launch(dir)]);
  });

  after(async () => {
    await context?.close();
    for (const ui of [worker, empty]) if (ui && ui.child.exitCode === null) await ui.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Agents opens on the view that holds the only agent, its prefix shown', async () => {
    const { page, problems } = await open(context, worker.url);
    await follow(page, '#nav a[data-section="agents"]');
    assert.equal(await page.locator('[data-testid="agent-link"]').innerText(), 'worker:w1');
    assert.equal(await page.locator('[data-testid="prefixes"] a.on').innerText(), 'worker:');
    await follow(page, '[data-testid="agent-link"]');
    assert.match(await page.locator('main').innerText(), /Worker one/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a run that never gave totalSteps shows its step alone', async () => {
    const { page, problems } = await open(context, worker.url);
    await follow(page, '#nav a[data-section="runs"]');
    assert.equal(await page.locator('[data-testid="runs-table"] td[data-label="step"]').innerText(), '2');
    // No run on the page failed: no error column, and no pager for a single page.
    assert.equal(await page.locator('[data-testid="runs-table"] th', { hasText: 'error' }).count(), 0);
    assert.equal(await page.locator('.pager').count(), 0);
    await follow(page, '[data-testid="run-link"]');
    assert.match(await page.locator('main').innerText(), /step\s+2\n/);
    assert.doesNotMatch(await page.locator('main').innerText(), /of 0/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('one event found by search reads "1 event", with nothing printed under it', async () => {
    const { page, problems } = await open(context, `${worker.url}#/agents`);
    await follow(page, 'nav.tabs a:text-is("Events")');
    await page.fill('[data-testid="event-search"]', 'lonely');
    await page.press('[data-testid="event-search"]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('q=lonely'));
    await page.locator('[data-testid="events-what"]', { hasText: 'matching' }).waitFor();
    assert.equal(await page.locator('[data-testid="events-what"]').innerText(), '1 event matching “lonely”');
    assert.deepEqual(await strayText(page), []);
    assert.doesNotMatch(await page.locator('main').innerText(), /\bnull\b/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('an empty store: every page says what is empty, at desktop and phone width', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const { page, problems } = await open(context, empty.url, viewport);
      await emptyPagesSayEmpty(page, EMPTY_PAGES);
      assert.deepEqual(problems, []);
      await page.close();
    }
  });
});
