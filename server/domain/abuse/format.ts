// Wording shared by the rules' explanations: times in UTC to the minute, counts with
// thousands separators, so every "why" reads the same way.

export function utcMinute(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function durationMinutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 120) return plural(m, 'minute');
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? plural(h, 'hour') : `${plural(h, 'hour')} ${plural(m % 60, 'minute')}`;
}
