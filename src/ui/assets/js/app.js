// The dashboard: a navigation bar of the areas (pages/index.js) and one page at a time, chosen by the URL's hash.
import { get } from './api.js';
import { errorBox } from './components.js';
import { h } from './dom.js';
import { AREAS, areaOf } from './pages/index.js';
import { current, href } from './router.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let cleanup;
let generation = 0;
/** The path of the page shown: a new path starts at the top, a new query (a filter, a page of a list) keeps the place. */
let shownPath;

async function show() {
  const hash = location.hash;
  const route = current();
  const area = areaOf(route.parts[0] ?? '');
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('on', a.dataset.section === area?.section);
  cleanup?.();
  cleanup = undefined;
  const mine = ++generation;
  const page = area?.page(route.parts);
  main.setAttribute('aria-busy', 'true');
  try {
    if (!page) throw Object.assign(new Error('no such page'), { code: 'NOT_FOUND' });
    // A page renders into a detached element, swapped in whole: a slower earlier page never lands over a later one.
    const target = h('div', { class: 'page' });
    const done = await page(route, target);
    if (mine !== generation) {
      if (typeof done === 'function') done();
      return;
    }
    main.replaceChildren(target);
    if (typeof done === 'function') cleanup = done;
    const path = route.parts.join('/');
    if (shownPath !== undefined && path !== shownPath) window.scrollTo(0, 0);
    shownPath = path;
  } catch (error) {
    if (mine === generation) main.replaceChildren(errorBox(error));
  } finally {
    if (mine === generation) {
      // What is shown is this hash's page: the hash changes before its hashchange runs show().
      main.dataset.shown = hash;
      main.removeAttribute('aria-busy');
    }
  }
}

nav.append(...AREAS.map(({ section, label }) => h('a', { href: href(section ? [section] : []), dataset: { section } }, label)));
window.addEventListener('hashchange', show);
get('/api/overview').then((body) => {
  const store = document.getElementById('store');
  store.textContent = `${body.path}${body.readOnly ? ' · read-only' : ''}`;
  store.title = body.path;
}, () => {});
show();
