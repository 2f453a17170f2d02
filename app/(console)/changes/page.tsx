import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { ChangesList } from '@/components/changes/changes-list';
import { Loading } from '@/components/ui/status';
import { holdsPermission } from '@/server/domain/authz/decide';
import { currentSession } from '@/server/web/current-session';

export default async function ChangesPage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) return null;
  const caller = { grants: resolved.grants, mfaVerified: resolved.session.mfaVerified };
  if (!holdsPermission(caller, 'change:read').allowed) notFound();
  return (
    <>
      <h1>Change requests</h1>
      <Suspense fallback={<Loading what="changes" />}>
        <ChangesList canPropose={holdsPermission(caller, 'netpol:propose').allowed} />
      </Suspense>
    </>
  );
}
