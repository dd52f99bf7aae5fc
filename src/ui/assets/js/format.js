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
