/**
 * Writes each backend's `migrations/<backend>/checksums.json`: every migration file with
 * the sha256 of its text, which a store opening verifies its records against without
 * reading the files (src/engine/migrate.ts). Run it after adding a migration; a test fails
 * while the list and the files disagree.
 *
 * @example
 * ```sh
 * node scripts/migration-checksums.ts
 * ```
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKSUMS_FILE, migrationChecksum, migrationsDir } from '../src/engine/migrate.ts';
import type { BackendName } from '../src/engine/op.ts';

/** What `dir`'s checksums.json should hold: each `.sql` file, in order, with its sha256. */
export function checksumsOf(dir: string): Record<string, string> {
  const files = readdirSync(dir).filter((file) => file.endsWith('.sql')).sort();
  return Object.fromEntries(files.map((file) => [file, migrationChecksum(readFileSync(join(dir, file), 'utf8'))]));
}

if (import.meta.main) {
  for (const backend of ['sqlite', 'postgres'] satisfies BackendName[]) {
    const dir = migrationsDir(backend);
    const checksums = checksumsOf(dir);
    writeFileSync(join(dir, CHECKSUMS_FILE), `${JSON.stringify(checksums, null, 2)}\n`);
    console.log(`${join(dir, CHECKSUMS_FILE)}: ${Object.keys(checksums).length} migrations`);
  }
}
