/**
 * Cron expressions as workflow rules write them (`cron=0 0 * * *`): five fields, an
 * optional leading seconds field, `@daily`-style descriptors, `@every <duration>` and a
 * `CRON_TZ=` prefix. An expression is valid only when it parses *and* can fire:
 * `0 0 30 2 *` parses but February never has a 30th.
 *
 * The grammar is Flowlord's (Go's cron), checked here: croner, which computes the queue's
 * schedules, reads more (`L`, `W`, `#`) and less (`5/15`) than it. Whether an expression that
 * parses can fire is croner's answer (its next run), the same as the queue's.
 *
 * @example
 * ```ts
 * isValidCron('0 0 * * *');   // true
 * isValidCron('0 0 30 2 *');  // false: never fires
 * ```
 */
import { Cron } from 'croner';

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

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;

/** A Go-style duration (`1h`, `-30m`, `1h30m15s`, `0`), the form `offset=` and `@every` take. */
export function isGoDuration(text: string): boolean {
  return text === '0' || GO_DURATION.test(text);
}

function parseValue(text: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  return index === -1 ? undefined : index + spec.min;
}

/** Whether a field is in Go's cron grammar: lists of `*`, values and ranges, each with an optional step. */
function isField(text: string, spec: FieldSpec, allowQuestion: boolean): boolean {
  return text.split(',').every((item) => {
    const [range, stepText, extra] = item.split('/');
    if (range === undefined || extra !== undefined) return false;
    if (stepText !== undefined && (!/^\d+$/.test(stepText) || Number(stepText) < 1)) return false;
    if (range === '*' || (allowQuestion && range === '?')) return true;
    const bounds = range.split('-');
    if (bounds.length > 2) return false;
    const low = parseValue(bounds[0]!, spec);
    const high = bounds.length === 2 ? parseValue(bounds[1]!, spec) : low;
    return low !== undefined && high !== undefined && low >= spec.min && high <= spec.max && low <= high;
  });
}

/**
 * The field as croner reads it: Go's cron takes `5/15` for "from 5 to the end, every 15",
 * which croner writes `5-59/15`.
 */
function forCroner(text: string, spec: FieldSpec): string {
  return text.split(',').map((item) => {
    const [range, step] = item.split('/');
    return step !== undefined && range !== '*' && range !== '?' && !range!.includes('-') ? `${range}-${spec.max}/${step}` : item;
  }).join(',');
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
  const specs = fields.length === 6 ? [SECONDS, MINUTES, HOURS, DAYS, MONTHS, WEEKDAYS] : [MINUTES, HOURS, DAYS, MONTHS, WEEKDAYS];
  if (fields.length !== specs.length) return false;
  if (!fields.every((field, i) => isField(field, specs[i]!, specs[i] === DAYS || specs[i] === WEEKDAYS))) return false;
  // Vixie cron's day rule (either day field matches when both are restricted) is croner's default too.
  const cron = new Cron(fields.map((field, i) => forCroner(field, specs[i]!)).join(' '), { paused: true, ...(tz ? { timezone: tz[1] } : {}) });
  return cron.nextRun() !== null;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
