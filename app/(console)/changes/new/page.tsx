import { notFound } from 'next/navigation';
import { ChangeEditor } from '@/components/changes/change-editor';
import { holdsPermission } from '@/server/domain/authz/decide';
import { currentSession } from '@/server/web/current-session';

export default async function NewChangePage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) return null;
  const caller = { grants: resolved.grants, mfaVerified: resolved.session.mfaVerified };
  if (!holdsPermission(caller, 'netpol:propose').allowed) notFound();
  return (
    <>
      <h1>New change request</h1>
      <ChangeEditor globalAllowed={resolved.grants.some((g) => g.tenantId === null)} />
    </>
  );
}
