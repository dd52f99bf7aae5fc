/**
 * Turns what a user typed into an FTS5 query that can never be a syntax error: every word
 * becomes a quoted string (inner quotes doubled), so `"`, `AND`, `NEAR`, `*`, `(` and `:` are
 * plain text. Words are matched all together (implicit AND), in any order. Returns undefined
 * when nothing searchable is left (only punctuation, or blank).
 *
 * @example
 * ```ts
 * toFtsQuery('say "hi" AND (bye'); // '"say" """hi""" "AND" "(bye"'
 * ```
 */
export function toFtsQuery(text: string): string | undefined {
  const terms: string[] = [];
  // FTS5 reads its query as a C string: a NUL would cut a quoted term short ("unterminated string").
  for (const word of text.replace(/\p{Cc}/gu, ' ').split(/\s+/u)) {
    // The unicode61 tokenizer drops everything but letters, digits and marks: a term of pure
    // punctuation would match nothing, and is left out rather than silently failing the whole search.
    if (!/[\p{L}\p{N}]/u.test(word)) continue;
    terms.push(`"${word.replaceAll('"', '""')}"`);
  }
  return terms.length === 0 ? undefined : terms.join(' ');
}
