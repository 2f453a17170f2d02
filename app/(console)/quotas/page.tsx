import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { Loading } from '@/components/ui/status';
import { QuotasView } from '@/components/quotas/quotas-view';
import { holdsPermission } from '@/server/domain/authz/decide';
import { currentSession } from '@/server/web/current-session';

export default async function QuotasPage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) return null;
  if (!holdsPermission({ grants: resolved.grants, mfaVerified: resolved.session.mfaVerified }, 'quota:read').allowed) notFound();
  // Quotas change through change requests, which only global tenant managers draft (two-factor checked on the call).
  const canPropose = holdsPermission({ grants: resolved.grants, mfaVerified: true }, 'tenant:manage').allowed;
  return (
    <>
      <h1>Quotas</h1>
      <Suspense fallback={<Loading what="quota use" />}>
        <QuotasView canPropose={canPropose} />
      </Suspense>
    </>
  );
}
