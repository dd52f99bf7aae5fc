// How numbers, sizes and times read on the page.

const numbers = new Intl.NumberFormat('en-US');

export function num(value) {
  return value === null || value === undefined ? '–' : numbers.format(value);
}

export function bytes(value) {
  if (value === null || value === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) { n /= 1024; unit++; }
  return `${unit === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[unit]}`;
}

const pad = (n) => String(n).padStart(2, '0');

/** A Date's ISO text, or Unix seconds, as local 'YYYY-MM-DD HH:MM:SS'. */
export function time(value) {
  if (value === null || value === undefined || value === '') return '–';
  const d = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function ms(value) {
  if (value === null || value === undefined) return '–';
  return value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`;
}

export function money(value) {
  return value === null || value === undefined ? '–' : `$${value.toFixed(value < 1 ? 4 : 2)}`;
}

/** A run's step: 'n / total', or 'n' alone when the run never said how many steps it has (totalSteps 0). */
export function steps(current, total, separator = ' / ') {
  return total ? `${num(current)}${separator}${num(total)}` : num(current);
}

/** '1 event', '3 events' (`many` for a plural that is not the noun plus s). */
export function plural(n, noun, many = `${noun}s`) {
  return `${num(n)} ${n === 1 ? noun : many}`;
}

/**
 * A length of time: '420 ms', '8.5 s', '3 min 20 s', '2 h 5 min', '3 d 4 h'.
 * @example duration(200_000)   // '3 min 20 s'
 */
export function duration(msValue) {
  if (msValue === null || msValue === undefined || Number.isNaN(msValue)) return '–';
  const ms = Math.max(0, msValue);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const parts = (big, bigUnit, small, smallUnit) => (small > 0 ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`);
  if (s < 3600) return parts(Math.floor(s / 60), 'min', Math.floor(s % 60), 's');
  if (s < 86400) return parts(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'min');
  return parts(Math.floor(s / 86400), 'd', Math.floor((s % 86400) / 3600), 'h');
}

/**
 * When `at` (ISO text) falls from `now` (epoch ms): 'in 3 min', '2 h ago'.
 * @example relative('2026-01-01T00:03:00Z', Date.parse('2026-01-01T00:00:00Z'))   // 'in 3 min'
 */
export function relative(at, now) {
  if (at === null || at === undefined) return '';
  const delta = new Date(at).getTime() - now;
  if (Number.isNaN(delta)) return '';
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}
