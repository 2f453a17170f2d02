'use client';
// One tenant's quota resources over the chosen range, each with its chart and forecast, and
// the method the forecast uses in words.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';
import { formatAmount } from './quota-units';
import styles from './quotas.module.css';
import { UsageChart } from './usage-chart';

export const RANGES = ['hour', 'day', 'week'] as const;
export type Range = (typeof RANGES)[number];
const RANGE_LABEL: Record<Range, string> = { hour: 'Last hour', day: 'Last day', week: 'Last week' };

export function RangePicker({ slug, range }: { slug: string; range: Range }) {
  return (
    <nav className={styles.ranges} aria-label="Chart range">
      {RANGES.map((r) => (
        <Link key={r} href={`/quotas?tenant=${encodeURIComponent(slug)}&range=${r}`} aria-current={r === range ? 'page' : undefined} className={r === range ? styles.current : undefined}>
          {RANGE_LABEL[r]}
        </Link>
      ))}
    </nav>
  );
}

export function TenantQuotaHistory({ tenantId, tenantName, range }: { tenantId: string; tenantName: string; range: Range }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.quotas.history.queryOptions({ tenantId, range }, { refetchInterval: 60_000 }));
  if (history.isPending) return <Loading what={`${tenantName}’s quota history`} />;
  if (history.error) return <ErrorText error={history.error} />;
  const { resources, from, to, binMinutes, method } = history.data;
  if (resources.length === 0) {
    return <Empty>No quota samples for {tenantName} in this range yet. The cluster agent sends one a minute; the chart fills in as they arrive.</Empty>;
  }
  return (
    <section aria-label={`Quota history of ${tenantName}`}>
      <ul className={styles.charts}>
        {resources.map((r) => {
          const last = r.points[r.points.length - 1]!;
          const peak = Math.max(...r.points.map((p) => p.used));
          return (
            <li key={r.resource} className={styles.chartCard}>
              <h3 className="mono">{r.resource}</h3>
              <p className={styles.forecast} data-testid={`forecast-${r.resource}`}>
                <strong>
                  {r.resource}: {r.forecastText}
                </strong>
              </p>
              <UsageChart
                resource={r.resource}
                points={r.points}
                from={from}
                to={to}
                label={`${r.resource} over the ${range}: now ${formatAmount(r.resource, last.used)} of ${formatAmount(r.resource, last.hard)}, peak ${formatAmount(r.resource, peak)}`}
              />
              <p className="muted small">
                Now {formatAmount(r.resource, last.used)} of {formatAmount(r.resource, last.hard)}; peak in range {formatAmount(r.resource, peak)}.
              </p>
            </li>
          );
        })}
      </ul>
      <p className={`${styles.method} muted small`}>
        Each point is the highest use in its {binMinutes === 1 ? 'minute' : `${binMinutes} minutes`}, summed over the tenant’s namespaces. Forecast: {method}
      </p>
    </section>
  );
}
