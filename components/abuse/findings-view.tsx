'use client';
// Abuse findings with their filters in the URL (status, lowest severity, rule, tenant), the
// tenant notifications sent to the caller's tenants, and the workloads put to sleep.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';
import { RULE_LABELS, SEVERITY_BADGE, subject, utc } from './labels';
import { SleepPolicies } from './sleep-policies';
import { SleepsTable } from './sleeps-table';

const STATUSES = ['open', 'resolved', 'all'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const RULES = Object.keys(RULE_LABELS) as (keyof typeof RULE_LABELS)[];

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}

export function FindingsView({ sleepScope, canAcknowledge }: { sleepScope: { global: boolean; tenantIds: string[] }; canAcknowledge: boolean }) {
  const trpc = useTRPC();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const status = pick(params.get('status'), STATUSES) ?? 'open';
  const severity = pick(params.get('severity'), SEVERITIES);
  const rule = pick(params.get('rule'), RULES as string[]) as 'mining-pool' | undefined;
  const tenantId = params.get('tenant') ?? undefined;
  const input = { status, ...(severity ? { severity } : {}), ...(rule ? { rule } : {}), ...(tenantId && /^[0-9a-f-]{36}$/.test(tenantId) ? { tenantId } : {}) };
  const findings = useQuery(trpc.abuse.findings.queryOptions(input, { refetchInterval: 15_000 }));

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(key, value);
    else next.delete(key);
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };

  return (
    <>
      <Notifications canAcknowledge={canAcknowledge} />
      <section className="card" aria-labelledby="findings-heading">
        <h2 id="findings-heading">Findings</h2>
        <div className="filters" role="group" aria-label="Filter findings">
          <label>
            <span className="label">Status</span>
            <select value={status} onChange={(e) => setFilter('status', e.target.value === 'open' ? '' : e.target.value)}>
              <option value="open">Open</option>
              <option value="resolved">Resolved</option>
              <option value="all">All</option>
            </select>
          </label>
          <label>
            <span className="label">Severity at least</span>
            <select value={severity ?? ''} onChange={(e) => setFilter('severity', e.target.value)}>
              <option value="">Any</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="label">Rule</span>
            <select value={rule ?? ''} onChange={(e) => setFilter('rule', e.target.value)}>
              <option value="">Any rule</option>
              {RULES.map((r) => (
                <option key={r} value={r}>
                  {RULE_LABELS[r]}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="label">Tenant</span>
            <select value={input.tenantId ?? ''} onChange={(e) => setFilter('tenant', e.target.value)}>
              <option value="">All my tenants</option>
              {(findings.data?.tenants ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        {findings.isPending ? (
          <Loading what="findings" />
        ) : findings.error ? (
          <ErrorText error={findings.error} />
        ) : findings.data.findings.length === 0 ? (
          <Empty>
            {status === 'open' ? 'No open findings match these filters.' : 'No findings match these filters.'} The detection job looks at the last hour of flows and usage once a minute.
          </Empty>
        ) : (
          <table aria-label="Findings">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Finding</th>
                <th scope="col">Tenant</th>
                <th scope="col">Workload</th>
                <th scope="col">Started</th>
                <th scope="col">Last seen</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {findings.data.findings.map((f) => (
                <tr key={f.id}>
                  <td>
                    <span className={`badge ${SEVERITY_BADGE[f.severity]}`}>{f.severity}</span>
                  </td>
                  <td>
                    <Link href={`/findings/${f.id}`}>{f.title}</Link>
                    <div className="muted small">{f.summary.length > 160 ? `${f.summary.slice(0, 157)}…` : f.summary}</div>
                  </td>
                  <td>{f.tenant}</td>
                  <td className="mono small">
                    {subject(f)}
                    <div className="muted">{f.cluster}</div>
                  </td>
                  <td className="small nowrap">{utc(f.startedAt)}</td>
                  <td className="small nowrap">{utc(f.lastSeenAt)}</td>
                  <td>{f.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="sleeps-heading">
        <h2 id="sleeps-heading">Sleeping workloads</h2>
        <SleepsTable tenantId={input.tenantId} />
      </section>
      <SleepPolicies tenants={findings.data?.tenants ?? []} sleepScope={sleepScope} />
    </>
  );
}

function Notifications({ canAcknowledge }: { canAcknowledge: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const list = useQuery(trpc.abuse.notifications.queryOptions(undefined, { refetchInterval: 30_000 }));
  const ack = useMutation(trpc.abuse.acknowledge.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: trpc.abuse.notifications.queryKey() }) }));
  if (list.isPending) return <Loading what="notifications" />;
  if (list.error) return <ErrorText error={list.error} />;
  const open = list.data.notifications.filter((n) => !n.acknowledgedAt);
  if (open.length === 0) return null;
  return (
    <section className="card" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">Notifications from the security team</h2>
      <ul className="stack" style={{ listStyle: 'none', padding: 0 }}>
        {open.map((n) => (
          <li key={n.id} className="banner warn" data-testid="notification">
            <strong>{n.title}</strong> <span className="muted small">({n.tenant}, {utc(n.createdAt)}, from {n.author})</span>
            <p className="small" style={{ whiteSpace: 'pre-wrap' }}>
              {n.body}
            </p>
            <div className="row">
              {n.findingId && <Link href={`/findings/${n.findingId}`}>Open the finding</Link>}
              {canAcknowledge && (
                <button type="button" onClick={() => ack.mutate({ id: n.id })} disabled={ack.isPending}>
                  Acknowledge
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <ErrorText error={ack.error} />
    </section>
  );
}
