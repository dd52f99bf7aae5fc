// Building the page from data without ever parsing markup: every stored string becomes a
// text node (createTextNode / textContent). No innerHTML, outerHTML, insertAdjacentHTML or
// document.write anywhere in these files (test/ui-static.test.ts checks that).

const SVG_NS = 'http://www.w3.org/2000/svg';
// Attributes a page may set; an href must be a route of this page ('#…') or one of its files ('/…').
const ATTRIBUTES = new Set(['id', 'title', 'type', 'name', 'value', 'placeholder', 'for', 'role', 'tabindex', 'open', 'disabled', 'selected', 'checked', 'autocomplete', 'inputmode', 'enterkeyhint', 'min', 'max', 'step', 'colspan', 'scope', 'lang']);

function setProps(el, props, svg) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key === 'href') {
      const text = String(value);
      if (!text.startsWith('#') && !text.startsWith('/')) throw new Error(`href must be a route of the dashboard: ${text}`);
      el.setAttribute('href', text);
    } else if (key === 'dataset') for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (svg || key.startsWith('aria-') || key.startsWith('data-') || ATTRIBUTES.has(key)) el.setAttribute(key, value === true ? '' : String(value));
    else throw new Error(`unknown attribute ${key}`);
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element: `h('a', { href: '#/runs' }, 'Runs')`. Strings become text nodes. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props, false);
  append(el, children);
  return el;
}

/** An SVG element, the same way. */
export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setProps(el, props, true);
  append(el, children);
  return el;
}

/**
 * Replaces `el`'s children as h() appends them: null, undefined and false are left out.
 * (DOM's own replaceChildren would write a null as the text "null".)
 */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}
