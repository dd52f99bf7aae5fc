/** A scratch PostgreSQL schema per side, so that the peers' tables never meet and all go afterwards. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh schema name (not yet created): `prefix_` and 8 hex digits, safe as an identifier.
 *
 * @example
 * const schema = scratchName('bench_pgboss'); // 'bench_pgboss_1a2b3c4d'
 */
export function scratchName(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

/**
 * Runs one query on a short-lived connection (schema creation, drops, counts).
 *
 * @example
 * await adminQuery(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
 */
export async function adminQuery(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/**
 * Drops a scratch schema and everything in it.
 *
 * @example
 * await dropScratch(url, schema);
 */
export async function dropScratch(url: string, schema: string): Promise<void> {
  await adminQuery(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

/**
 * A count(*) query's answer as a number (pg returns int8 as a string).
 *
 * @example
 * await countOf(url, `SELECT count(*) FROM ${schema}.jobs`);
 */
export async function countOf(url: string, text: string, values: unknown[] = []): Promise<number> {
  const { rows } = await adminQuery(url, text, values);
  return Number((rows[0] as { count: string }).count);
}
