/**
 * OpenWorkflow's duration strings (`'1s'`, `'500ms'`, `'5 minutes'`, `'1.5h'`) in
 * milliseconds, for its retry policies; one that does not parse counts as 0 ms, as
 * OpenWorkflow's backoff does.
 *
 * @example
 * ```ts
 * durationMs('1s');  // 1000
 * durationMs('2m');  // 120000
 * ```
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A month and a year as OpenWorkflow reckons them: 365.25 days a year, a twelfth of it a month. */
const YEAR = 365.25 * DAY;

const UNITS = new Map<string, number>();
const units: [number, string[]][] = [
  [1, ['ms', 'msec', 'msecs', 'millisecond', 'milliseconds']],
  [SECOND, ['s', 'sec', 'secs', 'second', 'seconds']],
  [MINUTE, ['m', 'min', 'mins', 'minute', 'minutes']],
  [HOUR, ['h', 'hr', 'hrs', 'hour', 'hours']],
  [DAY, ['d', 'day', 'days']],
  [7 * DAY, ['w', 'week', 'weeks']],
  [YEAR / 12, ['mo', 'month', 'months']],
  [YEAR, ['y', 'yr', 'yrs', 'year', 'years']],
];
for (const [ms, names] of units) for (const name of names) UNITS.set(name, ms);

const PATTERN = /^(-?\.?\d+(?:\.\d+)?)\s*([a-z]+)?$/i;

export function durationMs(text: unknown): number {
  if (typeof text !== 'string') return 0;
  const match = PATTERN.exec(text);
  if (!match) return 0;
  const unit = UNITS.get((match[2] ?? 'ms').toLowerCase());
  return unit === undefined ? 0 : Number.parseFloat(match[1]!) * unit;
}
