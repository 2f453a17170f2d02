import { notFound } from 'next/navigation';
import { ClustersView } from '@/components/clusters/clusters-view';
import { holdsPermission } from '@/server/domain/authz/decide';
import { currentSession } from '@/server/web/current-session';

export default async function ClustersPage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) return null;
  const caller = { grants: resolved.grants, mfaVerified: resolved.session.mfaVerified };
  if (!holdsPermission(caller, 'cluster:read').allowed) notFound();
  return (
    <>
      <h1>Clusters</h1>
      <ClustersView canEnroll={holdsPermission(caller, 'cluster:enroll').allowed} />
    </>
  );
}
