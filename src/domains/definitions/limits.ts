/**
 * The limits of a workflow definition's phases that callers may read, apart from the rules
 * that check them (rules.ts, which loads croner) so that importing flowstore loads neither.
 *
 * @example
 * ```ts
 * if (phase.retry > MAX_RECOMMENDED_RETRY) console.warn(`${phase.task}: many retries`);
 * ```
 */

/** Retries above this get a warning in the phase's status (the phase still loads). */
export const MAX_RECOMMENDED_RETRY = 10;
