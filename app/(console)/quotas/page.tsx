import { notFound } from 'next/navigation';
import { QuotasView } from '@/components/quotas/quotas-view';
import { holdsPermission } from '@/server/domain/authz/decide';
import { currentSession } from '@/server/web/current-session';

export default async function QuotasPage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) return null;
  if (!holdsPermission({ grants: resolved.grants, mfaVerified: resolved.session.mfaVerified }, 'quota:read').allowed) notFound();
  return (
    <>
      <h1>Quotas</h1>
      <QuotasView />
    </>
  );
}
