/**
 * Channel versions that never collide across the branches of a thread. LangGraph's
 * default (an integer, plus one) gives two branches forked from one checkpoint the same
 * next version; a saver that stores one value per (channel, version), as this one and
 * LangGraph's PostgreSQL saver do, then keeps the first branch's value and serves it to
 * the second (langgraphjs issue 1812). A version here is the counter, zero-padded so
 * that versions compare as strings, then a random part: `00…07.8203958119484563`, the
 * form LangGraph's Python savers use.
 */
import { randomInt } from 'node:crypto';
import { invalid } from './config.ts';

const COUNTER_DIGITS = 32;
const RANDOM_DIGITS = 16;
/** randomInt takes a range below 2^48: two draws give the sixteen digits. */
const HALF = 10 ** (RANDOM_DIGITS / 2);

/** The counter of a version: an integer as it is, or the part of a string before its '.'. */
export function versionCounter(version: string | number): number {
  const counter = typeof version === 'number' ? Math.floor(version) : Number(version.split('.', 1)[0]);
  if (!Number.isSafeInteger(counter) || counter < 0) throw invalid('version', `is not a channel version: ${JSON.stringify(version)}`);
  return counter;
}

/** The version after `current` (undefined for a channel's first), unique with overwhelming probability. */
export function nextVersion(current: string | number | undefined): string {
  const counter = current === undefined ? 0 : versionCounter(current);
  const random = `${String(randomInt(HALF)).padStart(RANDOM_DIGITS / 2, '0')}${String(randomInt(HALF)).padStart(RANDOM_DIGITS / 2, '0')}`;
  return `${String(counter + 1).padStart(COUNTER_DIGITS, '0')}.${random}`;
}
