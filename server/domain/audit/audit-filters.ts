// The audit timeline's filters: one shape for the URL, the tRPC input, the export route and
// the CLI. A facet value of NONE matches events without that field (no tenant, no cluster).
// Times are ISO 8601 instants, or wall-clock times read in the given IANA time zone.
import { z } from 'zod';

export const NONE = '-';

export const FACETS = ['actor', 'tenant', 'cluster', 'action', 'kind', 'outcome', 'source'] as const;
export type Facet = (typeof FACETS)[number];

const facetValue = z.string().min(1).max(300);
const timeValue = z.string().min(1).max(40);

export const AuditFilters = z.object({
  /** Web-search syntax: "quoted phrase", -excluded, a or b. */
  q: z.string().max(300).optional(),
  actor: facetValue.optional(),
  tenant: facetValue.optional(),
  cluster: facetValue.optional(),
  action: facetValue.optional(),
  kind: facetValue.optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  source: z.enum(['console', 'agent', 'kubernetes']).optional(),
  /**
   * A range ending now, used when `from` is not given: the timeline asks for the last 7 days
   * unless told otherwise (a bounded range reads only its day partitions). 'all', like no
   * range at all, is the whole stored range.
   */
  range: z.enum(['1h', '24h', '7d', '30d', 'all']).optional(),
  from: timeValue.optional(),
  to: timeValue.optional(),
  /** The zone wall-clock from/to are read in (and the timeline is grouped by); default UTC. */
  tz: z.string().max(64).optional(),
});
export type AuditFilters = z.infer<typeof AuditFilters>;

const KEYS = ['q', 'actor', 'tenant', 'cluster', 'action', 'kind', 'outcome', 'source', 'range', 'from', 'to', 'tz'] as const;

export type RelativeRange = NonNullable<AuditFilters['range']>;
/** What the timeline shows when the URL names no time at all. */
export const DEFAULT_RANGE: RelativeRange = '7d';
export const RANGE_LABEL: Record<RelativeRange, string> = { '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days', all: 'All stored events' };
const RANGE_MS: Record<Exclude<RelativeRange, 'all'>, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

/** The start of a relative range at `now`, or null for the whole stored range. */
export function rangeStart(range: RelativeRange | undefined, now: Date): Date | null {
  return range && range !== 'all' ? new Date(now.getTime() - RANGE_MS[range]) : null;
}

/** The filters a page asks with: the default range applies when the URL names no time. */
export function withDefaultRange(f: AuditFilters): AuditFilters {
  return f.range || f.from || f.to ? f : { ...f, range: DEFAULT_RANGE };
}

/** Reads filters from a URL's query; unknown or malformed values are dropped, not fatal. */
export function filtersFromSearchParams(params: URLSearchParams): AuditFilters {
  const out: Record<string, string> = {};
  for (const k of KEYS) {
    const v = params.get(k);
    if (v === null || v === '') continue;
    const parsed = AuditFilters.shape[k].safeParse(v);
    if (parsed.success && parsed.data !== undefined) out[k] = parsed.data;
  }
  return out as AuditFilters;
}

export function filtersToSearchParams(f: AuditFilters): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of KEYS) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  return p;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// Offset of a zone at an instant, in ms (local = utc + offset).
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return local - Math.floor(instant / 1000) * 1000;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The instant a filter time names: an ISO instant with Z or an offset as is; a wall-clock
 * time ("2025-03-30T02:30", or a bare date for its midnight) in `timeZone`. A wall time that
 * does not exist (a spring-forward gap) resolves to the instant after the gap.
 */
export function resolveInstant(value: string, timeZone = 'UTC'): Date | null {
  if (INSTANT.test(value)) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = WALL.exec(value);
  if (!m || !isValidTimeZone(timeZone)) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0'] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
  if (Number.isNaN(wall)) return null;
  // Two passes settle the offset on either side of a transition.
  let guess = wall - zoneOffset(wall, timeZone);
  guess = wall - zoneOffset(guess, timeZone);
  return new Date(guess);
}

/** The calendar day (YYYY-MM-DD) and hour an instant falls in, in a zone: the timeline's groups. */
export function dayInZone(instant: Date, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export function timeInZone(instant: Date, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(instant);
}

/** Groups a newest-first list by day in the zone, keeping order. */
export function groupByDay<T extends { occurredAt: Date }>(events: readonly T[], timeZone = 'UTC'): { day: string; events: T[] }[] {
  const groups: { day: string; events: T[] }[] = [];
  for (const e of events) {
    const day = dayInZone(e.occurredAt, timeZone);
    const last = groups[groups.length - 1];
    if (last && last.day === day) last.events.push(e);
    else groups.push({ day, events: [e] });
  }
  return groups;
}

/** Keyset cursor over (occurred_at, seq), newest first: "<ms>.<seq>". */
export function encodeCursor(e: { occurredAt: Date; seq: number }): string {
  return `${e.occurredAt.getTime()}.${e.seq}`;
}

export function decodeCursor(c: string): { at: Date; seq: number } | null {
  const m = /^(-?\d{1,15})\.(\d{1,18})$/.exec(c);
  if (!m) return null;
  return { at: new Date(Number(m[1])), seq: Number(m[2]) };
}
