/**
 * What a user typed into searchEvents, as each backend's full-text search takes it: words,
 * never syntax. Both backends see the same words; each one's index tokenizes them as it
 * tokenizes the events' content.
 */

/**
 * The searchable words of `text`: split at white space and control characters (a NUL among
 * them: FTS5 reads its query as a C string, PostgreSQL refuses NUL in text), words holding no
 * letter or digit left out (both indexes drop everything but letters, digits and marks, so
 * such a term would match nothing and silently fail the whole search).
 *
 * @example
 * ```ts
 * searchWords('say "hi" -- (bye'); // ['say', '"hi"', '(bye']
 * ```
 */
export function searchWords(text: string): string[] {
  return text.replace(/\p{Cc}/gu, ' ').split(/\s+/u).filter((word) => /[\p{L}\p{N}]/u.test(word));
}

/**
 * An FTS5 query that can never be a syntax error: every word becomes a quoted string (inner
 * quotes doubled), so `"`, `AND`, `NEAR`, `*`, `(` and `:` are plain text. Words are matched
 * all together (implicit AND), in any order. Undefined when nothing searchable is left.
 *
 * @example
 * ```ts
 * toFtsQuery('say "hi" AND (bye'); // '"say" """hi""" "AND" "(bye"'
 * ```
 */
export function toFtsQuery(text: string): string | undefined {
  const words = searchWords(text);
  return words.length === 0 ? undefined : words.map((word) => `"${word.replaceAll('"', '""')}"`).join(' ');
}

/**
 * The text PostgreSQL's `plainto_tsquery` gets: the words, space-separated. That function
 * reads no operators at all (`&`, `!`, `:*`, quotes are separators to it) and ANDs the words.
 * Undefined when nothing searchable is left.
 *
 * @example
 * ```ts
 * toTsQueryText('a & !b:*\u0000c'); // 'a !b:* c'
 * ```
 */
export function toTsQueryText(text: string): string | undefined {
  const words = searchWords(text);
  return words.length === 0 ? undefined : words.join(' ');
}
