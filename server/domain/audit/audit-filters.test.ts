import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, filtersFromSearchParams, filtersToSearchParams, groupByDay, rangeStart, resolveInstant, withDefaultRange } from './audit-filters';
import { csvCell } from './csv';

describe('audit filters', () => {
  it('round-trips through the URL and drops malformed values', () => {
    const f = filtersFromSearchParams(new URLSearchParams('q=%22a+b%22+-c&outcome=denied&source=martian&from=2026-03-01T00:00&tz=Europe/Berlin&junk=1'));
    expect(f).toEqual({ q: '"a b" -c', outcome: 'denied', from: '2026-03-01T00:00', tz: 'Europe/Berlin' });
    expect(filtersFromSearchParams(filtersToSearchParams(f))).toEqual(f);
  });

  it('a page that names no time asks for the last 7 days; a relative range ends now; all is unbounded', () => {
    expect(withDefaultRange({ q: 'x' })).toEqual({ q: 'x', range: '7d' });
    expect(withDefaultRange({ from: '2026-01-01' })).toEqual({ from: '2026-01-01' });
    expect(withDefaultRange({ range: 'all' })).toEqual({ range: 'all' });
    const now = new Date('2026-03-10T12:00:00Z');
    expect(rangeStart('24h', now)!.toISOString()).toBe('2026-03-09T12:00:00.000Z');
    expect(rangeStart('7d', now)!.toISOString()).toBe('2026-03-03T12:00:00.000Z');
    expect(rangeStart('all', now)).toBeNull();
    expect(rangeStart(undefined, now)).toBeNull();
    expect(filtersFromSearchParams(new URLSearchParams('range=30d'))).toEqual({ range: '30d' });
    expect(filtersFromSearchParams(new URLSearchParams('range=forever'))).toEqual({});
  });

  it('reads ISO instants as they are and wall-clock times in the given zone', () => {
    expect(resolveInstant('2026-01-15T10:00:00Z')!.toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(resolveInstant('2026-01-15T10:00:00+02:00')!.toISOString()).toBe('2026-01-15T08:00:00.000Z');
    expect(resolveInstant('2026-01-15T10:00', 'Europe/Berlin')!.toISOString()).toBe('2026-01-15T09:00:00.000Z'); // CET
    expect(resolveInstant('2026-07-15T10:00', 'Europe/Berlin')!.toISOString()).toBe('2026-07-15T08:00:00.000Z'); // CEST
    expect(resolveInstant('2026-07-15', 'America/New_York')!.toISOString()).toBe('2026-07-15T04:00:00.000Z');
    expect(resolveInstant('2026-01-15T10:00')!.toISOString()).toBe('2026-01-15T10:00:00.000Z'); // UTC by default
    // Spring forward in Berlin: 02:30 does not exist on 2026-03-29; it lands after the gap.
    expect(resolveInstant('2026-03-29T02:30', 'Europe/Berlin')!.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-03-29T01:00:00Z'));
    expect(resolveInstant('yesterday')).toBeNull();
    expect(resolveInstant('2026-01-15T10:00', 'Mars/Olympus')).toBeNull();
  });

  it('groups newest-first events by the day in the reader’s zone', () => {
    const ev = (iso: string) => ({ occurredAt: new Date(iso) });
    const events = [ev('2026-01-02T01:00:00Z'), ev('2026-01-01T23:30:00Z'), ev('2026-01-01T10:00:00Z')];
    expect(groupByDay(events, 'UTC').map((g) => [g.day, g.events.length])).toEqual([['2026-01-02', 1], ['2026-01-01', 2]]);
    expect(groupByDay(events, 'Asia/Tokyo').map((g) => [g.day, g.events.length])).toEqual([['2026-01-02', 2], ['2026-01-01', 1]]);
    expect(groupByDay(events, 'America/Los_Angeles').map((g) => [g.day, g.events.length])).toEqual([['2026-01-01', 3]]);
  });

  it('encodes keyset cursors and refuses forged ones', () => {
    const c = encodeCursor({ occurredAt: new Date(1767225600123), seq: 42 });
    expect(decodeCursor(c)).toEqual({ at: new Date(1767225600123), seq: 42 });
    expect(decodeCursor("1;drop table")).toBeNull();
  });

  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(null)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });
});
