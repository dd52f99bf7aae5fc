/**
 * How enqueue's jobs travel from the caller's thread to the writer: one flat array of
 * strings, numbers and nulls (which crosses packed, see engine/protocol.ts),
 * `[queue, now, valuesPerJob, ...jobs]`. Apart from the schemas, which the writer never loads.
 */

/** Values of a job that gives options: payload JSON text, due time, priority, key, max attempts, backoff base and cap. */
export const JOB_VALUES = 7;

/** `valuesPerJob` of jobs that give only a payload: each is its JSON text, due now with the default options. */
export const PAYLOAD_TEXTS = 1;

/**
 * `valuesPerJob` of jobs that give only a payload, each a small object or array: one JSON
 * array of them all follows, then the length of the longest payload's text. The writer
 * inserts them in one statement that reads the array in SQL: a twentieth of the values
 * to pack and unpack, and a third of the time a statement per job takes on SQLite.
 */
export const PAYLOAD_ARRAY = 0;

/**
 * The longest payload text that travels in a {@link PAYLOAD_ARRAY}. SQLite's JSON parser
 * refuses values nested more than 1,000 deep, and a shorter text cannot nest that deep;
 * a longer payload costs more to copy than to insert on its own.
 */
export const ARRAY_PAYLOAD_CHARS = 2_000;
