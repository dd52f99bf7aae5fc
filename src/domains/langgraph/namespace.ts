/**
 * A LangGraph store item's namespace as stored: its labels joined with '.', which no label
 * holds (the schemas refuse one), so that a prefix's descendants are the range
 * ['a.b.', 'a.b/'). Apart from the schemas: the worker threads split what they read.
 *
 * @example
 * ```ts
 * splitNamespace(joinNamespace(['users', 'u1']));   // ['users', 'u1']
 * ```
 */

/** Labels joined with '.'. */
export function joinNamespace(labels: readonly string[]): string {
  return labels.join('.');
}

/** The labels of a stored namespace. */
export function splitNamespace(text: string): string[] {
  return text === '' ? [] : text.split('.');
}
