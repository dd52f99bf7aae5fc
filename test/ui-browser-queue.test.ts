/**
 * The dashboard's queue pages as a person uses them, in Chromium, on the demo store with the
 * jobs and schedules of fixtures/ui-queue.ts (made through store.queue): a dead letter's
 * attempts from the navigation, the overview's queue figures leading to their jobs, the jobs
 * filtered by queue and state, the schedules' ticks, and stored markup shown as its
 * characters. (The counts moving while another process works jobs: ui-browser.test.ts, and
 * on PostgreSQL ui-browser-postgres.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deadLetterAttempts, follow, demoUi, PHONE, settled, SKIP, strayText } from './fixtures/ui-browser.ts';
import { XSS_JOB_ERROR, XSS_PAYLOAD, XSS_QUEUE, XSS_WORKER } from './fixtures/ui-queue.ts';

// Functions given to page.evaluate and waitForFunction run in the page: the page's globals they use.
declare const location: { hash: string };
declare const window: { scrollY: number; scrollTo(x: number, y: number): void };

describe('flowstore ui: the queue in Chromium', { skip: SKIP }, () => {
  const demo = demoUi('queue');

  test('from the navigation, a dead letter\'s attempts show each worker and the error of each failed attempt', async () => {
    const { page, problems } = await demo.open();
    await deadLetterAttempts(page);
    assert.deepEqual(await strayText(page), []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the overview\'s queue figures open the jobs they count; the queues page shows counts, limit and oldest due job', async () => {
    const { page, problems } = await demo.open();
    assert.equal(await page.locator('[data-testid="count-queues"]').innerText(), '4');
    assert.equal(await page.locator('[data-testid="count-queue-failed"]').innerText(), '2');
    await follow(page, '[data-testid="count-queue-failed"] a');
    assert.deepEqual(new Set(await page.locator('[data-testid="jobs"] td[data-label="state"]').allInnerTexts()), new Set(['failed']));
    assert.deepEqual(await page.locator('[data-testid="jobs"] td[data-label="queue"]').allInnerTexts(), [XSS_QUEUE, 'emails']);

    await follow(page, 'nav.tabs a:text-is("Queues")');
    const reports = page.locator('[data-testid="queues"] tbody tr').filter({ hasText: 'reports' });
    assert.equal(await reports.locator('td[data-label="due"]').innerText(), '4');
    assert.equal(await reports.locator('td[data-label="limit"]').innerText(), '2 at once');
    assert.match(await reports.locator('td[data-label="oldest due"]').innerText(), /^\d+(\.\d)? s$|min/);
    const emails = page.locator('[data-testid="queues"] tbody tr').filter({ has: page.locator('[data-testid="queue-link"]:text-is("emails")') });
    assert.deepEqual(await emails.locator('td').allInnerTexts().then((cells) => cells.slice(1, 7)), ['2', '2', '1', '6', '1', '1']);
    // The delayed count opens the queue's waiting jobs: the two due later say when.
    await follow(page, emails.locator('td[data-label="delayed"] a'));
    const waiting = page.locator('[data-testid="jobs"] tbody tr');
    assert.equal(await waiting.count(), 4);
    assert.deepEqual((await waiting.locator('td[data-label="state"]').allInnerTexts()).sort(), ['delayed', 'delayed', 'waiting', 'waiting']);
    assert.match(await waiting.filter({ hasText: 'tomorrow@' }).locator('td[data-label="when"]').innerText(), /^due in 23 h/);
    assert.match(await waiting.filter({ hasText: 'later@' }).locator('td[data-label="error"]').innerText(), /connection reset by peer/);
    assert.deepEqual(await strayText(page), []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('jobs: filtered by queue and by state from the Jobs tab', async () => {
    const { page, problems } = await demo.open(`#/queue`);
    await follow(page, 'nav.tabs a:text-is("Jobs")');
    await page.selectOption('[data-testid="filter-queue"]', 'reports');
    await page.waitForFunction(() => location.hash.includes('queue=reports'));
    await settled(page);
    assert.deepEqual(new Set(await page.locator('[data-testid="jobs"] td[data-label="queue"]').allInnerTexts()), new Set(['reports']));
    await page.selectOption('[data-testid="filter-state"]', 'completed');
    await page.waitForFunction(() => location.hash.includes('state=completed'));
    await settled(page);
    assert.match(await page.locator('[data-testid="jobs-what"]').innerText(), /^1 completed job of reports, newest first/);
    await follow(page, '[data-testid="job-link"]');
    assert.match(await page.locator('[data-testid="job-result"]').innerText(), /pages: 12[\s\S]*bytes: 48213/);
    assert.equal(await page.locator('[data-testid="job-attempts"] td[data-label="worker"]').innerText(), 'reporter');
    assert.equal(await page.locator('[data-testid="job-attempts"] td[data-label="outcome"]').innerText(), 'completed');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('schedules: cron, time zone, the last tick of the one that ticked and each next tick, at phone width', async () => {
    const { page, problems } = await demo.open(`#/queue`, PHONE);
    await follow(page, 'nav.tabs a:text-is("Schedules")');
    const row = (name: string) => page.locator('[data-testid="schedules"] tbody tr').filter({ has: page.locator(`[data-testid="schedule-link"]:text-is("${name}")`) });
    assert.equal(await row('reports').locator('td[data-label="cron"]').innerText(), '0 6 * * 1-5');
    assert.equal(await row('reports').locator('td[data-label="time zone"]').innerText(), 'Europe/Paris');
    assert.equal(await row('reports').locator('td[data-label="last tick"]').innerText(), 'none yet');
    assert.match(await row('reports').locator('td[data-label="next tick"]').innerText(), /^\d{4}-\d\d-\d\d \d\d:00:00 \(in /);
    assert.match(await row('reports').locator('td[data-label="jobs get"]').innerText(), /5 attempts/);
    assert.match(await row('pulse').locator('td[data-label="last tick"]').innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(.* ago\)$/);
    assert.equal(await row('emails-digest').locator('td[data-label="time zone"]').innerText(), 'UTC');
    // A schedule's name is its queue's; its page opens at the top, not where the list was scrolled to.
    await page.evaluate(() => window.scrollTo(0, 10_000));
    assert.ok(await page.evaluate(() => window.scrollY) > 0);
    await follow(page, row('reports').locator('[data-testid="schedule-link"]'));
    assert.equal(await page.locator('[data-testid="queue-name"]').innerText(), 'reports');
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    assert.deepEqual(await strayText(page), []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('markup in a queue\'s name, a payload, a worker id and an error is shown as its characters and never runs', async () => {
    const { page, problems } = await demo.open(`#/queue`);
    const link = page.locator(`[data-testid="queue-link"]:text-is("${XSS_QUEUE}")`);
    assert.equal(await link.count(), 1);
    await follow(page, link);
    assert.equal(await page.locator('[data-testid="queue-name"]').innerText(), XSS_QUEUE);
    const jobs = page.locator('[data-testid="jobs"]');
    assert.ok((await jobs.innerText()).includes(XSS_JOB_ERROR));
    assert.ok((await jobs.locator('td[data-label="payload"]').innerText()).includes(JSON.stringify(XSS_PAYLOAD).slice(1, 30)));
    assert.equal(await jobs.locator('td[data-label="worker"]').innerText(), XSS_WORKER);
    await follow(page, '[data-testid="job-link"]');
    assert.ok((await page.locator('[data-testid="job-payload"]').innerText()).includes(JSON.stringify(XSS_PAYLOAD)));
    assert.equal(await page.locator('[data-testid="attempt-error"]').innerText(), XSS_JOB_ERROR);
    assert.equal(await page.locator('[data-testid="attempt-code"]').innerText(), '<code>');
    await page.locator('[data-testid="job-attempts"] summary').click();
    assert.ok((await page.locator('[data-testid="attempt-stack"]').innerText()).startsWith(`Error: ${XSS_JOB_ERROR}`));
    assert.ok((await page.locator('[data-testid="job-error"]').innerText()).includes(XSS_JOB_ERROR));
    assert.equal(await page.locator('main img, main script, main b, main i').count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
