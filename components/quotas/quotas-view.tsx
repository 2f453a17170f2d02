'use client';
// Quota use per tenant: each ResourceQuota resource as used / hard with a bar and its
// percentage in words, flagged at 80 % and 95 %, with the namespaces behind it.
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';
import styles from './quotas.module.css';
import { RANGES, RangePicker, type Range, TenantQuotaHistory } from './tenant-quota-history';

type Level = 'ok' | 'high' | 'critical';

const FLAG: Record<Level, { text: string; badge: string } | null> = {
  ok: null,
  high: { text: '≥ 80 %', badge: 'warn' },
  critical: { text: '≥ 95 %', badge: 'failure' },
};

function Flag({ level }: { level: Level }) {
  const flag = FLAG[level];
  return flag ? <span className={`badge ${flag.badge}`}>{flag.text}</span> : null;
}

function Bar({ permille, percent, level, label }: { permille: number | null; percent: string; level: Level; label: string }) {
  const width = permille === null ? (level === 'critical' ? 100 : 0) : Math.min(100, Math.max(0, permille / 10));
  return (
    <div className={styles.pressure}>
      <div className={styles.track} aria-hidden="true">
        <div className={`${styles.fill} ${level === 'ok' ? '' : styles[level]}`} style={{ width: `${width}%` }} />
      </div>
      <span className={styles.percent} aria-label={`${label}: ${percent} used`}>
        {percent}
      </span>
      <span className={styles.flag}>
        <Flag level={level} />
      </span>
    </div>
  );
}

/** Opens a draft change request holding the ResourceQuota as it is now. */
function ProposeChange({ tenantId, cluster, namespace, quota }: { tenantId: string; cluster: string; namespace: string; quota: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const propose = useMutation(trpc.quotas.proposeChange.mutationOptions({ onSuccess: ({ changeId }) => router.push(`/changes/${changeId}/edit`) }));
  return (
    <>
      {' '}
      <button type="button" className="small" disabled={propose.isPending} onClick={() => propose.mutate({ tenantId, cluster, namespace, quota })}>
        {propose.isPending ? 'Opening a draft…' : `Propose a quota change`}
        <span className="sr-only">
          {' '}
          to {cluster}/{namespace} quota {quota}
        </span>
      </button>
      <ErrorText error={propose.error} />
    </>
  );
}

export function QuotasView({ canPropose }: { canPropose: boolean }) {
  const trpc = useTRPC();
  const params = useSearchParams();
  const selected = params.get('tenant');
  const rangeParam = params.get('range');
  const range: Range = (RANGES as readonly string[]).includes(rangeParam ?? '') ? (rangeParam as Range) : 'day';
  const overview = useQuery(trpc.quotas.overview.queryOptions(undefined, { refetchInterval: 30_000 }));

  if (overview.isPending) return <Loading what="quota use" />;
  if (overview.error) return <ErrorText error={overview.error} />;
  const visible = overview.data.tenants;
  const tenants = selected ? visible.filter((t) => t.tenant.slug === selected) : visible;
  if (selected && tenants.length === 0) {
    return (
      <Empty>
        No tenant “{selected}” is visible to you. <Link href="/quotas">All tenants</Link>
      </Empty>
    );
  }
  if (tenants.length === 0) return <Empty>No tenant is visible to you, so there is no quota to show.</Empty>;
  const all = tenants.flatMap((t) => t.resources);
  if (all.length === 0) return <Empty>No ResourceQuota reported yet in your tenants’ namespaces. Quotas appear here once a cluster agent reports them.</Empty>;
  const critical = all.filter((r) => r.level === 'critical').length;
  const high = all.filter((r) => r.level === 'high').length;

  return (
    <>
      <p className={`${styles.summary} muted`} role="status">
        {critical} resource{critical === 1 ? '' : 's'} at or above 95 %, {high} at or above 80 %, across {tenants.length} tenant{tenants.length === 1 ? '' : 's'}. Highest pressure first.
      </p>
      {tenants.map(({ tenant, resources, problems }) => (
        <section key={tenant.id} className="card" aria-labelledby={`quota-${tenant.slug}`}>
          <h2 id={`quota-${tenant.slug}`}>
            {tenant.name} <span className="muted small">({tenant.slug})</span>
          </h2>
          {selected ? (
            <p className="small">
              <Link href="/quotas">← All tenants</Link>
            </p>
          ) : (
            <p className="small">
              <Link href={`/quotas?tenant=${encodeURIComponent(tenant.slug)}&range=${range}`}>History and forecast for {tenant.name}</Link>
            </p>
          )}
          {resources.length === 0 ? (
            <Empty>No ResourceQuota reported yet for this tenant’s namespaces.</Empty>
          ) : (
            <table aria-label={`Quotas of ${tenant.name}`}>
              <thead>
                <tr>
                  <th scope="col">Resource</th>
                  <th scope="col">Used / hard</th>
                  <th scope="col">Share used</th>
                  <th scope="col">Namespaces</th>
                </tr>
              </thead>
              <tbody>
                {resources.map((r) => (
                  <tr key={r.resource} className={`${styles.row} ${r.level === 'ok' ? '' : styles[r.level]}`}>
                    <th scope="row" className={`${styles.resource} mono`}>
                      {r.resource}
                    </th>
                    <td className={`${styles.amount} mono`}>
                      {r.used} / {r.hard}
                    </td>
                    <td>
                      <Bar permille={r.permille} percent={r.percent} level={r.level} label={`${tenant.name} ${r.resource}`} />
                    </td>
                    <td className="small">
                      <ul className={styles.namespaces}>
                        {r.namespaces.map((n) => (
                          <li key={`${n.cluster}/${n.namespace}`}>
                            <span className="mono">
                              {n.cluster}/{n.namespace}
                            </span>{' '}
                            <span className={styles.amount}>
                              {n.used} / {n.hard} ({n.percent})
                            </span>{' '}
                            <Flag level={n.level} />
                            {!n.usedReported && <span className="muted"> · use not reported yet</span>}
                            <span className="muted"> · quota {n.quota}</span>
                            {selected && canPropose && <ProposeChange tenantId={tenant.id} cluster={n.cluster} namespace={n.namespace} quota={n.quota} />}
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {selected && (
            <>
              <h3>Over time</h3>
              <RangePicker slug={tenant.slug} range={range} />
              <TenantQuotaHistory tenantId={tenant.id} tenantName={tenant.name} range={range} />
            </>
          )}
          {problems.length > 0 && (
            <div role="alert">
              <p className="error">Some quota values could not be read and are left out of the totals:</p>
              <ul className="small">
                {problems.map((p) => (
                  <li key={`${p.cluster}/${p.namespace}/${p.quota}/${p.resource}`}>
                    <span className="mono">
                      {p.cluster}/{p.namespace} quota {p.quota}, {p.resource} = “{p.value}”
                    </span>
                    : {p.error}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>
      ))}
      <p className={`${styles.method} muted small`}>
        Used and hard are what each cluster’s quota controller reports (<span className="mono">status</span> of each ResourceQuota, or its{' '}
        <span className="mono">spec.hard</span> before the first report), added up exactly over the tenant’s namespaces. Where several quotas limit the same resource in one namespace, the
        tightest counts. Percentages are rounded down, so nothing short of full reads 100 %.
      </p>
    </>
  );
}
