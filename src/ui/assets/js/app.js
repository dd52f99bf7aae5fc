// The dashboard: a navigation bar and one page at a time, chosen by the URL's hash.
import { get } from './api.js';
import { errorBox } from './components.js';
import { h } from './dom.js';
import * as aaow from './pages/aaow.js';
import * as agents from './pages/agents.js';
import * as dags from './pages/dags.js';
import * as definitions from './pages/definitions.js';
import * as overview from './pages/overview.js';
import * as runs from './pages/runs.js';
import { current, href } from './router.js';

const NAV = [['', 'Overview'], ['runs', 'Runs'], ['dags', 'DAGs'], ['agents', 'Agents'], ['events', 'Events'], ['aaow', 'aaow'], ['definitions', 'Definitions']];

/** The page for a route: its top-level section decides, the rest of the path is its id. */
function pageOf({ parts }) {
  const [section, a, b] = parts;
  switch (section ?? '') {
    case '': return overview.render;
    case 'runs': return a === undefined ? runs.list : runs.detail;
    case 'dags': return a === undefined ? dags.list : dags.detail;
    case 'agents': return agents.list;
    case 'agent': return agents.detail;
    case 'tasks': return agents.tasks;
    case 'agent-sessions': return agents.sessions;
    case 'events': return agents.events;
    case 'aaow':
      if (a === 'sessions' && b !== undefined) return aaow.session;
      return { approvals: aaow.approvals, llm: aaow.llm, pools: aaow.pools }[a] ?? aaow.sessions;
    case 'definitions': return definitions.render;
    default: return null;
  }
}

const SECTION_OF = { agent: 'agents', tasks: 'agents', 'agent-sessions': 'agents' };

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let cleanup;
let generation = 0;

async function show() {
  const route = current();
  const section = SECTION_OF[route.parts[0]] ?? route.parts[0] ?? '';
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('on', a.dataset.section === section);
  cleanup?.();
  cleanup = undefined;
  const mine = ++generation;
  const page = pageOf(route);
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
  } catch (error) {
    if (mine === generation) main.replaceChildren(errorBox(error));
  } finally {
    if (mine === generation) main.removeAttribute('aria-busy');
  }
}

nav.append(...NAV.map(([part, label]) => h('a', { href: href(part ? [part] : []), dataset: { section: part } }, label)));
window.addEventListener('hashchange', show);
get('/api/overview').then((body) => {
  const store = document.getElementById('store');
  store.textContent = `${body.path}${body.readOnly ? ' · read-only' : ''}`;
  store.title = body.path;
}, () => {});
show();
