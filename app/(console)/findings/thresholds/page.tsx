import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { AbuseThresholds } from '@/components/abuse/abuse-thresholds';
import { Loading } from '@/components/ui/status';
import { holdsPermission } from '@/server/domain/authz/decide';
import { currentSession } from '@/server/web/current-session';

export default async function AbuseThresholdsPage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) return null;
  const caller = { grants: resolved.grants, mfaVerified: resolved.session.mfaVerified };
  if (!holdsPermission(caller, 'abuse:read').allowed) notFound();
  // abuse:configure needs a second factor: a security admin without one sees the values and why they cannot edit.
  const configure = holdsPermission(caller, 'abuse:configure');
  return (
    <>
      <h1>Abuse rule thresholds</h1>
      <p className="muted">
        The figures each abuse rule judges a tenant’s workloads by. The detection job reads them on its next run (once a minute); findings already open stay open. Back to the{' '}
        <Link href="/findings">abuse findings</Link>.
      </p>
      <Suspense fallback={<Loading what="thresholds" />}>
        <AbuseThresholds canConfigure={configure.allowed} needsMfa={!configure.allowed && configure.reason === 'mfa-required'} />
      </Suspense>
    </>
  );
}
