'use client';
// The audit timeline: a server-side search (full text, facets with counts, time range), newest
// first and grouped by day in the reader's zone, paged by keyset, with a pausable live tail
// and an event panel (details, Kubernetes fields, chain position, the event's story). Every
// filter lives in the URL; exports stream from /api/audit/export with the same query. A URL
// that names no time asks for the last 7 days (said on the page); "All stored events" is a
// choice away.
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';
import {
  type AuditFilters,
  dayInZone,
  DEFAULT_RANGE,
  type Facet,
  FACETS,
  filtersFromSearchParams,
  filtersToSearchParams,
  groupByDay,
  RANGE_LABEL,
  type RelativeRange,
  timeInZone,
  withDefaultRange,
} from '@/server/domain/audit/audit-filters';
import { AuditEventPanel } from './audit-event-panel';
import styles from './audit.module.css';

const FACET_LABEL: Record<Facet, string> = { actor: 'Actor', tenant: 'Tenant', cluster: 'Cluster', action: 'Action', kind: 'Resource kind', outcome: 'Outcome', source: 'Source' };

export function AuditTrail({ canVerify }: { canVerify: boolean }) {
  const trpc = useTRPC();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const urlFilters = useMemo(() => filtersFromSearchParams(new URLSearchParams(params.toString())), [params]);
  // What is asked of the server (and exported): the URL's filters, with the default range if it names no time.
  const filters = useMemo(() => withDefaultRange(urlFilters), [urlFilters]);
  const implicitRange = !urlFilters.range && !urlFilters.from && !urlFilters.to;
  const custom = Boolean(filters.from || filters.to);
  const tz = filters.tz ?? 'UTC';
  const openSeq = Number(params.get('event') ?? '') || null;
  const [draft, setDraft] = useState(filters.q ?? '');
  const [paused, setPaused] = useState(false);
  const [tailFrom, setTailFrom] = useState<number | null>(null);
  useEffect(() => setDraft(filters.q ?? ''), [filters.q]);

  const go = (next: AuditFilters, extra: Record<string, string> = {}) => {
    const p = filtersToSearchParams(next);
    for (const [k, v] of Object.entries(extra)) if (v) p.set(k, v);
    router.replace(`${pathname}?${p.toString()}`);
  };
  const keep: Record<string, string> = openSeq ? { event: String(openSeq) } : {};
  const setFilter = (k: keyof AuditFilters, v: string | undefined) => go({ ...urlFilters, [k]: v || undefined }, keep);
  // A relative range and from/to exclude each other; the default range stays out of the URL.
  const setRange = (r: RelativeRange | 'custom') =>
    r === 'custom'
      ? go({ ...urlFilters, range: undefined, from: urlFilters.from ?? wallTime(new Date(Date.now() - 86_400_000), tz) }, keep)
      : go({ ...urlFilters, range: r === DEFAULT_RANGE ? undefined : r, from: undefined, to: undefined }, keep);
  const setBound = (k: 'from' | 'to', v: string) => go({ ...urlFilters, range: undefined, [k]: v || undefined }, keep);
  const openEvent = (seq: number | null) => go(urlFilters, seq ? { event: String(seq) } : {});

  const pages = useInfiniteQuery(
    trpc.audit.search.infiniteQueryOptions({ filters, limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined, initialCursor: null }),
  );
  const facets = useQuery(trpc.audit.facets.queryOptions({ filters }));
  const first = pages.data?.pages[0];
  useEffect(() => setTailFrom(first ? first.tailFrom : null), [first]);
  const tail = useQuery({
    ...trpc.audit.tail.queryOptions({ filters, afterSeq: tailFrom ?? 0 }),
    enabled: tailFrom !== null && !paused,
    refetchInterval: 3_000,
  });
  const verify = useMutation(trpc.audit.verify.mutationOptions());

  const fresh = tail.data?.events ?? [];
  const rows = [...fresh, ...(pages.data?.pages.flatMap((p) => p.events) ?? [])];
  const names = {
    tenants: Object.assign({}, ...(pages.data?.pages.map((p) => p.names.tenants) ?? []), tail.data?.names.tenants ?? {}) as Record<string, string>,
    clusters: Object.assign({}, ...(pages.data?.pages.map((p) => p.names.clusters) ?? []), tail.data?.names.clusters ?? {}) as Record<string, string>,
  };
  const exportHref = (format: string) => `/api/audit/export?${new URLSearchParams({ ...Object.fromEntries(filtersToSearchParams(filters)), format }).toString()}`;
  const active = (Object.entries(urlFilters) as [keyof AuditFilters, string][]).filter(([k]) => k !== 'tz' && k !== 'range');
  const rangeWords = custom ? 'the chosen time range' : filters.range === 'all' ? 'all stored events' : RANGE_LABEL[filters.range ?? DEFAULT_RANGE].toLowerCase();

  return (
    <div className="audit-timeline">
      <form
        className="filters"
        role="search"
        aria-label="Search the audit trail"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter('q', draft.trim());
        }}
      >
        <label>
          Search
          <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder='mallory secrets, "payments api", -get, a or b' size={36} />
        </label>
        <label>
          Time range
          <select value={custom ? 'custom' : (filters.range ?? DEFAULT_RANGE)} onChange={(e) => setRange(e.target.value as RelativeRange | 'custom')}>
            {(Object.keys(RANGE_LABEL) as RelativeRange[]).map((r) => (
              <option key={r} value={r}>
                {RANGE_LABEL[r]}
                {r === DEFAULT_RANGE ? ' (default)' : ''}
              </option>
            ))}
            <option value="custom">From … to …</option>
          </select>
        </label>
        {custom && (
          <>
            <label>
              From
              <input type="datetime-local" value={filters.from ?? ''} onChange={(e) => setBound('from', e.target.value)} />
            </label>
            <label>
              To
              <input type="datetime-local" value={filters.to ?? ''} onChange={(e) => setBound('to', e.target.value)} />
            </label>
          </>
        )}
        <label>
          Time zone
          <select value={tz} onChange={(e) => setFilter('tz', e.target.value === 'UTC' ? '' : e.target.value)}>
            {[...new Set(['UTC', Intl.DateTimeFormat().resolvedOptions().timeZone, tz])].map((z) => (
              <option key={z}>{z}</option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <div className={styles.toolbar}>
        <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
          {paused ? 'Resume live tail' : 'Pause live tail'}
        </button>
        <span className="muted small" role="status" aria-live="polite">
          {paused ? 'Live tail paused.' : fresh.length ? `${fresh.length} new event${fresh.length === 1 ? '' : 's'} since the search.` : 'Live: new matching events appear at the top.'}
        </span>
        <span className={styles.spacer} />
        Export:{' '}
        <a href={exportHref('ndjson')} download>NDJSON</a> · <a href={exportHref('csv')} download>CSV</a> · <a href={exportHref('bundle')} download>verifiable bundle</a>
        {canVerify && (
          <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
            {verify.isPending ? 'Verifying…' : 'Verify chain'}
          </button>
        )}
      </div>
      <p className="small muted" aria-live="polite">
        {implicitRange
          ? `Showing the last 7 days (the default range): choose “${RANGE_LABEL.all}” under Time range to search everything stored.`
          : `Showing ${rangeWords}.`}
      </p>
      {verify.data && (
        <p className={verify.data.ok ? 'notice' : 'banner error'} role="status">
          {verify.data.ok
            ? `Chain intact: ${verify.data.checked} events verified up to the head (seq ${verify.data.headSeq}).`
            : `Chain BROKEN at event ${verify.data.firstBreak.seq}: ${verify.data.firstBreak.message}.`}
        </p>
      )}
      <ErrorText error={verify.error} />
      {active.length > 0 && (
        <p className="small" aria-label="Active filters">
          {active.map(([k, v]) => (
            <button key={k} type="button" className="chip" onClick={() => setFilter(k, undefined)} aria-label={`Remove filter ${k}: ${v}`}>
              {k}: {k === 'tenant' ? (names.tenants[v] ?? v) : k === 'cluster' ? (names.clusters[v] ?? v) : v} ✕
            </button>
          ))}{' '}
          <button type="button" className="link" onClick={() => go({ tz: urlFilters.tz })}>Clear all</button>
        </p>
      )}
      <div className={openSeq ? `${styles.layout} ${styles.layoutOpen}` : styles.layout}>
        <aside aria-label="Facets" className={styles.facets}>
          {facets.isPending ? (
            <Loading what="facet counts" />
          ) : facets.error ? (
            <ErrorText error={facets.error} />
          ) : (
            <>
              <p className="small muted">
                {facets.data.capped ? `Counts over the newest ${facets.data.total.toLocaleString('en')} matches` : `${facets.data.total.toLocaleString('en')} matching events`}
              </p>
              {FACETS.map((f) => (
                <fieldset key={f}>
                  <legend>{FACET_LABEL[f]}</legend>
                  {facets.data.facets[f].length === 0 ? (
                    <span className="muted small">none</span>
                  ) : (
                    <ul>
                      {facets.data.facets[f].map((v) => (
                        <li key={v.value}>
                          <button type="button" className={`link${filters[f] === v.value ? ' selected' : ''}`} aria-pressed={filters[f] === v.value} onClick={() => setFilter(f, filters[f] === v.value ? undefined : v.value)}>
                            {v.label}
                          </button>{' '}
                          <span className="muted small">{v.count.toLocaleString('en')}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </fieldset>
              ))}
            </>
          )}
        </aside>
        <section aria-label="Events" className="timeline">
          {pages.isPending ? (
            <Loading what="events" />
          ) : pages.error ? (
            <ErrorText error={pages.error} />
          ) : rows.length === 0 ? (
            <Empty>No events match this search in {rangeWords}. Widen the time range or remove a filter.</Empty>
          ) : (
            groupByDay(rows, tz).map((g) => (
              <table className="audit" key={g.day}>
                <caption>{g.day} ({tz})</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Resource</th>
                    <th scope="col">Where</th>
                    <th scope="col">#</th>
                  </tr>
                </thead>
                <tbody>
                  {g.events.map((e) => (
                    <tr key={e.seq} className={openSeq === e.seq ? styles.selectedRow : undefined}>
                      <td className="nowrap">
                        <button type="button" className="link" onClick={() => openEvent(e.seq)} aria-label={`Open event ${e.seq}: ${e.action}`}>
                          {timeInZone(e.occurredAt, tz)}
                        </button>
                      </td>
                      <td>{e.actorLabel ?? e.actorType}</td>
                      <td>
                        <code>{e.action}</code> <span className={`badge source-${e.source}`}>{e.source}</span>
                      </td>
                      <td>
                        <span className={`badge ${e.outcome}`}>{e.outcome}</span>
                      </td>
                      <td className="small">{e.resourceType ? `${e.resourceType} ${e.resourceId ?? ''}` : ''}</td>
                      <td className="small">
                        {[e.tenantId ? (names.tenants[e.tenantId] ?? 'tenant') : null, e.clusterId ? (names.clusters[e.clusterId] ?? 'cluster') : null, e.clientAddress].filter(Boolean).join(' · ')}
                      </td>
                      <td className="muted small">{e.seq}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ))
          )}
          {pages.hasNextPage && (
            <button type="button" onClick={() => pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
              {pages.isFetchingNextPage ? 'Loading older events…' : 'Older events'}
            </button>
          )}
        </section>
        {openSeq && <AuditEventPanel seq={openSeq} tz={tz} onClose={() => openEvent(null)} onOpen={openEvent} />}
      </div>
    </div>
  );
}

/** A datetime-local input's value for an instant, as wall-clock time in the zone the filters are read in. */
function wallTime(at: Date, tz: string): string {
  return `${dayInZone(at, tz)}T${timeInZone(at, tz).slice(0, 5)}`;
}
