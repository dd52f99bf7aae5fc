/**
 * Key prefixes: a view made by `withPrefix('worker')` stores agent `a1` as `worker:a1`; the
 * store's own view stores it as `a1`. Agent ids and prefixes never contain ':', so each stored
 * key belongs to exactly one view.
 */
export function scopedKey(prefix: string, agentId: string): string {
  return prefix === '' ? agentId : `${prefix}:${agentId}`;
}

/** The agent id a view sees for a stored key, or undefined when the key is another view's. */
export function unscopedId(prefix: string, key: string): string | undefined {
  const colon = key.indexOf(':');
  if (prefix === '') return colon === -1 ? key : undefined;
  return colon === prefix.length && key.startsWith(prefix) ? key.slice(colon + 1) : undefined;
}

/** The bounds of a prefixed view's keys: [prefix:, prefix;), since ';' is the code point after ':'. */
export function keyRange(prefix: string): [string | null, string | null] {
  return prefix === '' ? [null, null] : [`${prefix}:`, `${prefix};`];
}
