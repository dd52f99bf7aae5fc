/**
 * node:sqlite warns, once per thread, that it is an experimental feature (Node 22 does;
 * 24.15 and later no longer). In flowstore's own threads that warning is flowstore's
 * business, not the application's: flowstore pins the releases it supports. Each thread
 * entry calls this before it loads node:sqlite, which must be through `import()`, since a
 * static import links node:sqlite, and warns, before any code of the thread runs. Every
 * other warning still goes out, and the application's own threads are left alone.
 *
 * @example
 * ```ts
 * muteSqliteWarning();
 * const { SqliteWriterCore } = await import('./writer-core.ts');
 * ```
 */
export function muteSqliteWarning(): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = function emitWarningExceptSqlite(this: unknown, warning: string | Error, ...rest: unknown[]): void {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    if (type === 'ExperimentalWarning' && typeof warning === 'string' && warning.startsWith('SQLite is an experimental feature')) return;
    Reflect.apply(emitWarning, process, [warning, ...rest]);
  } as typeof process.emitWarning;
}
