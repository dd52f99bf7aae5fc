/**
 * Cron expressions as workflow rules write them (`cron=0 0 * * *`): five fields, an
 * optional leading seconds field, `@daily`-style descriptors, `@every <duration>` and a
 * `CRON_TZ=` prefix. An expression is valid only when it parses *and* can fire:
 * `0 0 30 2 *` parses but February never has a 30th.
 *
 * Hand-written rather than a package: what is needed is a yes/no answer plus the
 * "can it fire" check, which the maintained parsers (cron-parser, croner) only give
 * by iterating dates until they give up.
 *
 * @example
 * ```ts
 * isValidCron('0 0 * * *');   // true
 * isValidCron('0 0 30 2 *');  // false: never fires
 * ```
 */

interface FieldSpec {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const SECONDS: FieldSpec = { min: 0, max: 59 };
const MINUTES: FieldSpec = { min: 0, max: 59 };
const HOURS: FieldSpec = { min: 0, max: 23 };
const DAYS: FieldSpec = { min: 1, max: 31 };
const MONTHS: FieldSpec = { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] };
// 7 is Sunday too, as in most crons; it is folded onto 0.
const WEEKDAYS: FieldSpec = { min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] };

/** Longest day of each month; February counts its leap-year 29th, which does fire. */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;

/** A Go-style duration (`1h`, `-30m`, `1h30m15s`, `0`), the form `offset=` and `@every` take. */
export function isGoDuration(text: string): boolean {
  return text === '0' || GO_DURATION.test(text);
}

interface ParsedField {
  readonly values: Set<number>;
  /** `*` or `?` without a step: the day fields then combine with AND instead of OR. */
  readonly star: boolean;
}

function parseValue(text: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  return index === -1 ? undefined : index + spec.min;
}

function parseField(text: string, spec: FieldSpec, allowQuestion: boolean): ParsedField | undefined {
  const values = new Set<number>();
  let star = false;
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (range === undefined || extra !== undefined) return undefined;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) return undefined;
      step = Number(stepText);
      if (step < 1) return undefined;
    }
    let low: number;
    let high: number;
    if (range === '*' || (allowQuestion && range === '?')) {
      low = spec.min;
      high = spec.max;
      if (step === 1) star = true;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) return undefined;
      const first = parseValue(bounds[0]!, spec);
      if (first === undefined) return undefined;
      low = first;
      if (bounds.length === 2) {
        const last = parseValue(bounds[1]!, spec);
        if (last === undefined) return undefined;
        high = last;
      } else {
        // `5/15` means from 5 to the end of the range, every 15.
        high = stepText === undefined ? low : spec.max;
      }
    }
    if (low < spec.min || high > spec.max || low > high) return undefined;
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return { values, star };
}

function canFire(days: ParsedField, months: ParsedField, weekdays: ParsedField): boolean {
  // With both day fields restricted, a day matches either one (Vixie cron), and every
  // weekday occurs in every month.
  if (!days.star && !weekdays.star) return true;
  for (const month of months.values) {
    for (const day of days.values) if (day <= MONTH_DAYS[month - 1]!) return true;
  }
  return false;
}

/** True when `expression` parses and fires at least once in some year. */
export function isValidCron(expression: string): boolean {
  let text = expression.trim();
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(text);
  if (tz) {
    if (!isTimeZone(tz[1]!)) return false;
    text = text.slice(tz[0].length);
  }
  if (text.startsWith('@')) {
    if (DESCRIPTORS.has(text.toLowerCase())) return true;
    const every = /^@every\s+(\S+)$/i.exec(text);
    return every !== null && isGoDuration(every[1]!) && /[1-9]/.test(every[1]!) && !every[1]!.startsWith('-');
  }
  const fields = text.split(/\s+/);
  if (fields.length === 6) {
    if (!parseField(fields.shift()!, SECONDS, false)) return false;
  }
  if (fields.length !== 5) return false;
  const [minute, hour, day, month, weekday] = fields as [string, string, string, string, string];
  const days = parseField(day, DAYS, true);
  const months = parseField(month, MONTHS, false);
  const weekdays = parseField(weekday, WEEKDAYS, true);
  if (!parseField(minute, MINUTES, false) || !parseField(hour, HOURS, false) || !days || !months || !weekdays) return false;
  return canFire(days, months, weekdays);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
