// Routes live in the URL's hash: #/runs?status=failed&page=2, #/runs/<id>. Each path segment
// is URI-encoded, so any id (a '/', a '#', markup) survives the round trip as text.

export function current() {
  const hash = location.hash.slice(1) || '/';
  const at = hash.indexOf('?');
  const path = at === -1 ? hash : hash.slice(0, at);
  const parts = path.split('/').filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch { return p; }
  });
  return { parts, query: new URLSearchParams(at === -1 ? '' : hash.slice(at + 1)) };
}

/** '#/a/b?k=v' from ['a', 'b'] and { k: 'v' }; empty values are left out. */
export function href(parts, query = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const qs = search.toString();
  return `#/${parts.map((p) => encodeURIComponent(p)).join('/')}${qs ? `?${qs}` : ''}`;
}

export function go(parts, query) {
  location.hash = href(parts, query);
}

/**
 * Changes the URL of the page shown without showing it again (no hashchange), keeping
 * #main's record of the hash it shows (app.js) true.
 */
export function replace(parts, query) {
  history.replaceState(null, '', href(parts, query));
  document.getElementById('main').dataset.shown = location.hash;
}
