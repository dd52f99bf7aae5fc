/** Schema pieces every domain validates with, so that limits read the same everywhere. */
import { z } from 'zod';
import { toJsonText } from '../codec.ts';

/** Longest id or key accepted, in characters. */
export const MAX_ID_LENGTH = 512;
/** Longest name, status or other short text accepted, in characters. */
export const MAX_TEXT_LENGTH = 4096;
/** Largest page a list returns in one call. */
export const MAX_LIMIT = 100_000;

export const id = z.string().min(1).max(MAX_ID_LENGTH);
export const text = z.string().max(MAX_TEXT_LENGTH);
export const limit = z.number().int().min(1).max(MAX_LIMIT);
export const offset = z.number().int().min(0);
/** Any JSON-like value the codec can store (Date, BigInt, Map, Set, Uint8Array, undefined…). */
export const value = z.unknown();
/** The input of an operation that takes none. */
export const emptyInput = z.object({}).strict();

/**
 * A stored value as JSON text, written inside a schema's transform on the caller's
 * thread: a string crosses to the writer far more cheaply than an object graph. A value
 * that cannot be stored (a function, a class instance) becomes an issue at `path`, so
 * validation names its field. (A transform of its own on each such field cost zod about
 * 1 µs more per call.) The handler stores the text with `codec.packText`, which
 * compresses in the worker.
 */
export function jsonText(value: unknown, path: PropertyKey[], ctx: z.RefinementCtx): string {
  try {
    return toJsonText(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message, path });
    return '';
  }
}
/** A time given as a Date, an ISO string or epoch milliseconds; always a valid Date after parsing. */
export const instant = z.union([
  z.date(),
  z.iso.datetime({ offset: true, local: true }).transform((s) => new Date(s)),
  z.number().int().transform((ms) => new Date(ms)),
]).refine((d) => !Number.isNaN(d.getTime()), 'invalid date');
/** A positive, finite amount (days, hours) as the seed APIs take them. */
export const positiveAmount = z.number().positive().max(1e6);
