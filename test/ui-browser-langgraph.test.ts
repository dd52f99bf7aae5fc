/**
 * The dashboard's LangGraph pages as a person uses them, in Chromium, on the demo store with
 * the threads and memories of fixtures/ui-langgraph.ts (made by real graphs): a fork's two
 * branches and an interrupt from the navigation, a large value loading only when asked for,
 * the memory store by namespace and by search, and stored markup shown as its characters.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { follow, forkAndInterrupt, demoUi, PHONE, SKIP, strayText } from './fixtures/ui-browser.ts';
import { LARGE_TOPIC, LG_CHAT, LG_LARGE, XSS_MEMORY, XSS_THREAD, XSS_TOPIC } from './fixtures/ui-langgraph.ts';

// Functions given to page.evaluate and waitForFunction run in the page: the page's globals they use.
declare const document: { querySelector(selector: string): { textContent: string | null } | null };
declare const location: { hash: string };

describe('flowstore ui: LangGraph in Chromium', { skip: SKIP }, () => {
  const demo = demoUi('langgraph');

  test('from the navigation, a thread\'s history shows a fork\'s two branches and the interrupt it waits on', async () => {
    const { page, problems } = await demo.open();
    await forkAndInterrupt(page);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('threads are listed newest first, with checkpoints, last step, state and size', async () => {
    const { page, problems } = await demo.open(`#/langgraph`);
    const rows = page.locator('[data-testid="lg-threads"] tbody tr');
    // The fixture writes the markup thread last: it is the newest.
    assert.equal(await rows.first().locator('[data-testid="thread-link"]').innerText(), XSS_THREAD);
    assert.equal(await rows.first().locator('td[data-label="state"]').innerText(), 'interrupted');
    const chat = rows.filter({ hasText: LG_CHAT });
    assert.equal(await chat.locator('td[data-label="checkpoints"]').innerText(), '6');
    assert.equal(await chat.locator('td[data-label="last step"]').innerText(), 'step 4 · loop');
    assert.match(await chat.locator('td[data-label="size"]').innerText(), /^\d+(\.\d)? KB$/);
    assert.deepEqual(await strayText(page), []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a large value is not sent with the page: it loads when its button is pressed', async () => {
    const { page, problems } = await demo.open(`#/langgraph`);
    const answer = page.waitForResponse((response) => response.url().includes('/api/langgraph/checkpoint'));
    await follow(page, page.locator('[data-testid="thread-link"]', { hasText: LG_LARGE }));
    const sent = (await (await answer).body()).length;
    assert.ok(sent < LARGE_TOPIC.length / 4, `the checkpoint's answer is ${sent} bytes`);
    const topic = page.locator('[data-testid="lg-values"] li', { hasText: 'topic' });
    assert.match(await topic.innerText(), /Load \(\d+ KB\)/);
    assert.doesNotMatch(await page.locator('main').innerText(), /import import import/);
    await topic.locator('[data-testid="load-value"]').click();
    await topic.locator('[data-testid="value-topic"]').waitFor();
    assert.match(await topic.locator('[data-testid="value-topic"]').innerText(), /^"import import import/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the memory store: items by namespace, and the search finds by words', async () => {
    const { page, problems } = await demo.open(`#/langgraph`);
    await follow(page, 'nav.tabs a:text-is("Memory store")');
    assert.equal(await page.locator('[data-testid="memory-items"] tbody tr').count(), 4);
    await follow(page, page.locator('[data-testid="namespaces"] a', { hasText: 'users.ada.facts' }));
    assert.deepEqual(await page.locator('[data-testid="memory-items"] td[data-label="key"]').allInnerTexts(), ['city']);
    await follow(page, page.locator('[data-testid="namespaces"] a', { hasText: 'all' }));
    await page.fill('[data-testid="memory-search"]', 'Lisbon');
    await page.press('[data-testid="memory-search"]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('q=Lisbon'));
    await page.locator('[data-testid="memory-what"]', { hasText: '1 item matching' }).waitFor();
    assert.match(await page.locator('[data-testid="memory-items"]').innerText(), /lives in Lisbon/);
    assert.doesNotMatch(await page.locator('[data-testid="memory-items"]').innerText(), /Arlington/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('messages show as the LangChain classes they are, at phone width too', async () => {
    const { page, problems } = await demo.open(`#/langgraph/threads/${LG_CHAT}`, PHONE);
    const messages = page.locator('[data-testid="value-messages"]');
    assert.match(await messages.innerText(), /HumanMessage\{\d+\}[\s\S]*Where is my order\?[\s\S]*AIMessage\{\d+\}[\s\S]*You said: Where is my order\?/);
    // The history is one card per checkpoint; following one scrolls its checkpoint into view.
    await follow(page, page.locator('[data-testid="history-link"]').last());
    await page.waitForFunction(() => {
      const box = (document.querySelector('[data-testid="checkpoint-id"]') as unknown as { getBoundingClientRect(): { top: number } } | null)?.getBoundingClientRect();
      return box !== undefined && box.top >= 0 && box.top < 812;
    });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('stored markup in thread ids, channel values and memories is shown as its characters and never runs', async () => {
    const { page, problems } = await demo.open(`#/langgraph`);
    const link = page.locator('[data-testid="thread-link"]', { hasText: XSS_THREAD });
    assert.equal(await link.innerText(), XSS_THREAD);
    await follow(page, link);
    assert.equal(await page.locator('[data-testid="thread-id"]').innerText(), XSS_THREAD);
    assert.ok((await page.locator('[data-testid="value-topic"]').innerText()).includes(JSON.stringify(XSS_TOPIC)));
    assert.ok((await page.locator('[data-testid="lg-interrupts"]').innerText()).includes(`publish ${XSS_TOPIC}?`));
    await follow(page, page.locator('[data-testid="lg-history"] [data-testid="history-link"]').last());
    await follow(page, '#nav a[data-section="langgraph"]');
    await follow(page, 'nav.tabs a:text-is("Memory store")');
    assert.ok((await page.locator('[data-testid="memory-items"]').innerText()).includes(XSS_MEMORY));
    assert.equal(await page.locator('main img, main script').count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
