// Definitions: the loaded workflow files, a file's phases with their status messages, the dependency graph.
import { get } from '../api.js';
import { card, link, table } from '../components.js';
import { fill, h } from '../dom.js';
import { time } from '../format.js';
import { drawGraph } from '../graph.js';

export async function render(route, main) {
  const file = route.query.get('file') ?? undefined;
  const body = await get('/api/definitions', { file });
  const tasks = new Set(body.phases.map((p) => p.task));
  const status = new Map(body.phases.map((p) => [p.task, p.status]));
  const nodes = [...new Set([...body.phases.map((p) => p.task), ...body.edges.map((e) => e.from)])].map((id) => ({ id }));
  fill(main, 
    h('div', { class: 'page-head' }, h('h1', null, 'Definitions')),
    card('Files', table([
      { label: 'file', cell: (f) => link(['definitions'], { file: f.path }, f.path, { class: ['id', f.path === body.file ? 'on' : ''], 'data-testid': 'file-link' }) },
      { label: 'phases', class: 'num', cell: (f) => String(f.phaseCount) },
      { label: 'with a status', class: 'num', cell: (f) => (f.phasesWithStatus ? h('span', { class: 'err-text' }, String(f.phasesWithStatus)) : '0') },
      { label: 'loaded', cell: (f) => time(f.loadedAt) },
      { label: 'parse error', class: 'wrap', cell: (f) => (f.parseError ? h('span', { class: 'err-text' }, f.parseError) : '') },
    ], body.files, { empty: 'No workflow files loaded (store.definitions.refresh loads them).' })),
    body.file ? h('div', { class: 'grid-2' },
      card(`Dependencies in ${body.file}`, nodes.length === 0 ? h('p', { class: 'empty' }, 'No phases.')
        : drawGraph({ nodes, edges: body.edges }, { mark: (id) => (!tasks.has(id) ? 'external' : status.get(id) ? 'problem' : '') , testid: 'deps-graph' })),
      card('Phases', table([
        { label: 'task', class: 'id', cell: (p) => p.task },
        { label: 'depends on', cell: (p) => p.dependsOn },
        { label: 'rule', cell: (p) => p.rule },
        { label: 'retry', class: 'num', cell: (p) => String(p.retry) },
        { label: 'status', class: 'wrap', cell: (p) => (p.status ? h('span', { class: 'err-text' }, p.status) : h('span', { class: 'muted' }, 'ok')) },
      ], body.phases, { testid: 'phases' }))) : null,
    card('Phases with a status message', table([
      { label: 'file', cell: (p) => link(['definitions'], { file: p.path }, p.path) },
      { label: 'task', class: 'id', cell: (p) => p.task },
      { label: 'status', class: 'wrap', cell: (p) => h('span', { class: 'err-text' }, p.status) },
    ], body.problems, { empty: 'Every phase is valid.', testid: 'problems' }), body.moreProblems ? h('p', { class: 'muted' }, 'and more') : null),
  );
}

/** `#/definitions?file=…`. */
export const area = { section: 'definitions', label: 'Definitions', page: () => render };
