// The pieces every page is made of: cards, tables, pagers, badges, filters.
import { h } from './dom.js';
import { go, href } from './router.js';

export function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', null, title) : null, ...children);
}

const blank = (cell) => cell === '' || cell === null || cell === undefined || (Array.isArray(cell) && cell.every(blank));

/**
 * A table; `columns` are `{ label, cell(row) → string | Node, class?, optional? }`. An optional
 * column is left out when none of the rows has anything in it. Scrolls sideways on a narrow screen.
 */
export function table(columns, rows, { empty = 'Nothing here yet.', testid } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty', 'data-testid': testid ? `${testid}-empty` : undefined }, empty);
  const cells = rows.map((row) => columns.map((c) => c.cell(row)));
  const shown = columns.map((c, i) => !c.optional || cells.some((row) => !blank(row[i])));
  const keep = (list) => list.filter((_, i) => shown[i]);
  return h('div', { class: 'table-wrap' }, h('table', { 'data-testid': testid },
    h('thead', null, h('tr', null, keep(columns).map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
    h('tbody', null, cells.map((row) => h('tr', null, keep(row).map((cell, i) => h('td', { class: keep(columns)[i].class, 'data-label': keep(columns)[i].label }, cell)))))));
}

/** Previous / next links for a page of a listing (no total: counting a million rows is not free); nothing when all fits on one page. */
export function pager(parts, query, page, more) {
  if (page === 0 && !more) return null;
  const at = (p) => href(parts, { ...query, page: p === 0 ? undefined : p });
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    page > 0 ? h('a', { href: at(page - 1), 'data-testid': 'prev' }, '← Newer') : h('span', { class: 'disabled' }, '← Newer'),
    h('span', { class: 'page' }, `page ${page + 1}`),
    more ? h('a', { href: at(page + 1), 'data-testid': 'next' }, 'Older →') : h('span', { class: 'disabled' }, 'Older →'));
}

const GOOD = new Set(['completed', 'approved', 'active', 'idle', 'ok', 'success', 'delivered']);
const BAD = new Set(['failed', 'rejected', 'exhausted', 'error', 'cancelled', 'canceled', 'not delivered', 'terminated', 'expired']);
const WAITING = new Set(['pending', 'paused', 'blocked', 'suspended', 'interrupted', 'delayed']);

export function badge(status) {
  const text = String(status ?? '');
  let kind = 'neutral';
  if (GOOD.has(text)) kind = 'good';
  else if (BAD.has(text)) kind = 'bad';
  else if (WAITING.has(text) || text.startsWith('waiting')) kind = 'wait';
  else if (text === 'running' || text === 'busy' || text === 'in_progress') kind = 'run';
  return h('span', { class: ['badge', kind] }, text);
}

/** Label / value pairs. */
export function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

export function link(parts, query, text, props = {}) {
  return h('a', { href: href(parts, query), ...props }, text);
}

/** A select that changes one query parameter of the current route (and goes back to the first page). */
export function filter(label, name, choices, parts, query) {
  const value = query[name] ?? '';
  return h('label', { class: 'filter' }, h('span', null, label),
    h('select', {
      name,
      'data-testid': `filter-${name}`,
      onChange: (e) => go(parts, { ...query, [name]: e.target.value, page: undefined }),
    }, h('option', { value: '' }, 'all'), choices.map((c) => h('option', { value: c, selected: c === value }, c))));
}

export function errorBox(error) {
  return h('div', { class: 'error', role: 'alert', 'data-testid': 'error' }, h('strong', null, error.code ?? 'ERROR'), ' ', error.message);
}

export function stat(label, value, testid) {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-value', 'data-testid': testid }, value), h('div', { class: 'stat-label' }, label));
}

/** The query of the current route as a plain object. */
export function queryOf(route) {
  return Object.fromEntries(route.query.entries());
}
