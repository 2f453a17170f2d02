import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { AuditTrail } from '@/components/audit/audit-trail';
import { Loading } from '@/components/ui/status';
import { holdsPermission } from '@/server/domain/authz/decide';
import { currentSession } from '@/server/web/current-session';

export default async function AuditPage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) return null;
  const caller = { grants: resolved.grants, mfaVerified: resolved.session.mfaVerified };
  if (!holdsPermission(caller, 'audit:read').allowed) notFound();
  return (
    <>
      <h1>Audit trail</h1>
      <Suspense fallback={<Loading what="the audit trail" />}>
        <AuditTrail canVerify={holdsPermission(caller, 'audit:verify').allowed} />
      </Suspense>
    </>
  );
}
