import Link from 'next/link';
import { notFound } from 'next/navigation';
import { FindingsView } from '@/components/abuse/findings-view';
import { holdsPermission } from '@/server/domain/authz/decide';
import { roleHas } from '@/server/domain/authz/permissions';
import { currentSession } from '@/server/web/current-session';

export default async function FindingsPage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) return null;
  if (!holdsPermission({ grants: resolved.grants, mfaVerified: resolved.session.mfaVerified }, 'abuse:read').allowed) notFound();
  const sleepGrants = resolved.grants.filter((g) => roleHas(g.role, 'workload:sleep'));
  const sleepScope = { global: sleepGrants.some((g) => g.tenantId === null), tenantIds: sleepGrants.flatMap((g) => (g.tenantId ? [g.tenantId] : [])) };
  const canAcknowledge = holdsPermission({ grants: resolved.grants, mfaVerified: resolved.session.mfaVerified }, 'abuse:acknowledge').allowed;
  return (
    <>
      <h1>Abuse findings</h1>
      <p className="muted">
        What the detection job found in flows, usage and quotas: a workload holding its CPU at the limit while nobody calls it, connections to mining pools, fan-out to many new
        addresses, bursts of denied connections, quotas pinned at their ceiling. Each finding says which rule fired and why. The figures each rule uses are a
        tenant’s <Link href="/findings/thresholds">rule thresholds</Link>.
      </p>
      <FindingsView sleepScope={sleepScope} canAcknowledge={canAcknowledge} />
    </>
  );
}
