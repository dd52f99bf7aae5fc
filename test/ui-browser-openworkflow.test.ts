/**
 * The dashboard's OpenWorkflow pages as a person uses them, in Chromium, on the demo store
 * with the runs of fixtures/ui-openworkflow.ts (made by OpenWorkflow's own client and
 * worker): a run's failed step attempt, its signals and its child reached from the
 * navigation; the overview's card leading to the failed runs; a namespace typed in; a
 * workflow's name and an error that are markup shown as their characters; the pages at phone
 * width. (On PostgreSQL: ui-browser-postgres.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { follow, demoUi, openWorkflowRun, PHONE, settled, SKIP, strayText } from './fixtures/ui-browser.ts';
import { XSS_OW_ERROR, XSS_WORKFLOW } from './fixtures/ui-openworkflow.ts';

// Functions given to page.evaluate and waitForFunction run in the page: the page's globals they use.
declare const location: { hash: string };

describe('flowstore ui: OpenWorkflow\'s runs in Chromium', { skip: SKIP }, () => {
  const demo = demoUi('ow');

  test('from the navigation, a run\'s failed step attempt shows its error, then its signals and its child, which links back', async () => {
    const { page, problems } = await demo.open();
    await openWorkflowRun(page);
    assert.deepEqual(await strayText(page), []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the overview\'s OpenWorkflow card opens the failed runs; a failed run says why', async () => {
    const { page, problems } = await demo.open();
    assert.equal(await page.locator('[data-testid="count-ow-runs"]').innerText(), '4');
    assert.equal(await page.locator('[data-testid="count-ow-pending"]').innerText(), '1');
    await follow(page, '[data-testid="count-ow-failed"] a');
    assert.match(await page.evaluate(() => location.hash), /^#\/openworkflow\?status=failed$/);
    const rows = page.locator('[data-testid="ow-runs"] tbody tr');
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.locator('td[data-label="workflow"]').innerText(), XSS_WORKFLOW);
    assert.equal(await rows.locator('td[data-label="error"]').innerText(), XSS_OW_ERROR);
    await follow(page, '[data-testid="ow-run-link"]');
    assert.equal(await page.locator('[data-testid="ow-run-workflow"]').innerText(), XSS_WORKFLOW);
    assert.match(await page.locator('[data-testid="ow-run-error"]').innerText(), new RegExp(`^failed after 1 attempt ${XSS_OW_ERROR.replace(/[()[\]/.*+?^$|\\]/g, '\\$&')}$`));
    assert.deepEqual(await page.locator('[data-testid="ow-step-error"]').allInnerTexts(), [XSS_OW_ERROR]);
    assert.match(await page.locator('[data-testid="ow-children-empty"]').innerText(), /No child runs/);
    assert.match(await page.locator('[data-testid="ow-signals-empty"]').innerText(), /No signals/);
    assert.equal(await page.locator('main img, main script, main b').count(), 0);
    assert.deepEqual(await strayText(page), []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a namespace typed in shows its runs (none), and the pending run waits for a worker, at phone width', async () => {
    const { page, problems } = await demo.open(`#/openworkflow`, PHONE);
    await page.fill('[data-testid="ow-namespace"]', 'billing');
    await page.click('[data-testid="ow-search-go"]');
    await page.waitForFunction(() => location.hash.includes('namespace=billing'));
    await settled(page);
    assert.match(await page.locator('[data-testid="ow-runs-empty"]').innerText(), /^No OpenWorkflow runs in namespace billing/);
    assert.equal(await page.locator('[data-testid="ow-namespace-shown"]').innerText(), 'namespace billing');
    // Back to the default namespace, which the address leaves out.
    await page.fill('[data-testid="ow-namespace"]', 'default');
    await page.click('[data-testid="ow-search-go"]');
    await page.waitForFunction(() => location.hash === '#/openworkflow');
    await settled(page);
    await page.selectOption('[data-testid="filter-status"]', 'pending');
    await page.waitForFunction(() => location.hash === '#/openworkflow?status=pending');
    await settled(page);
    assert.match(await page.locator('[data-testid="ow-runs"] td[data-label="when"]').innerText(), /^due .* ago$/);
    await follow(page, '[data-testid="ow-run-link"]');
    assert.match(await page.locator('[data-testid="ow-steps-empty"]').innerText(), /No step attempts yet/);
    assert.match(await page.locator('[data-testid="ow-run-input"]').innerText(), /order: "A-1002"/);
    assert.deepEqual(await strayText(page), []);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
