// A stored value as a collapsible tree (<details>), from the tagged JSON the server sends
// (src/ui/display.ts): { $t: 'date' | 'bigint' | 'bytes' | 'map' | 'set' | … }. Text only.
import { h } from './dom.js';

const isTagged = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.$t === 'string';

function leaf(value) {
  if (value === null) return h('span', { class: 'j-null' }, 'null');
  switch (typeof value) {
    case 'string': return h('span', { class: 'j-str' }, JSON.stringify(value));
    case 'number': return h('span', { class: 'j-num' }, String(value));
    case 'boolean': return h('span', { class: 'j-bool' }, String(value));
    default: return h('span', null, String(value));
  }
}

function tagged(value, depth) {
  switch (value.$t) {
    case 'date': return h('span', { class: 'j-date', title: 'Date' }, value.v);
    case 'bigint': return h('span', { class: 'j-num', title: 'BigInt' }, `${value.v}n`);
    case 'number': return h('span', { class: 'j-num' }, value.v);
    case 'undefined': return h('span', { class: 'j-null' }, 'undefined');
    case 'bytes': return h('span', { class: 'j-bytes', title: value.v }, `Uint8Array(${value.n}) ${value.v}${value.n > 64 ? ' …' : ''}`);
    case 'cut': return h('span', { class: 'j-str' }, JSON.stringify(value.v), h('span', { class: 'j-more' }, ` … ${value.n} characters in all`));
    case 'more': return h('span', { class: 'j-more' }, `… ${value.n} more`);
    case 'cycle': return h('span', { class: 'j-more' }, '(circular)');
    case 'map': return branch(value.v.map(([k, v]) => [k, v]), 'Map', depth);
    case 'set': return branch(value.v.map((v, i) => [i, v]), 'Set', depth);
    case 'object': return isTagged(value.v) ? h('span', null, value.kind ?? '', node(value.v, depth)) : branch(Object.entries(value.v ?? {}), value.kind ?? '', depth);
    default: return h('span', null, String(value.v ?? value.$t));
  }
}

function keyNode(key) {
  return isTagged(key) || typeof key === 'object' ? node(key, 99) : h('span', { class: 'j-key' }, String(key));
}

function branch(entries, kind, depth, array = false) {
  const summary = `${kind}${array ? '[' : '{'}${entries.length}${array ? ']' : '}'}`;
  if (entries.length === 0) return h('span', { class: 'j-empty' }, array ? '[]' : `${kind}{}`);
  return h('details', { class: 'j-branch', open: depth < 2 },
    h('summary', null, summary),
    h('ul', null, entries.map(([k, v]) => h('li', null, keyNode(k), h('span', { class: 'j-colon' }, ': '), node(v, depth + 1)))));
}

function node(value, depth) {
  if (Array.isArray(value)) return branch(value.map((v, i) => [i, v]), '', depth, true);
  if (isTagged(value)) return tagged(value, depth);
  if (value !== null && typeof value === 'object') return branch(Object.entries(value), '', depth);
  return leaf(value);
}

/** The tree of one value; the first two levels start open. */
export function jsonTree(value, testid) {
  return h('div', { class: 'json', 'data-testid': testid }, node(value, 0));
}
