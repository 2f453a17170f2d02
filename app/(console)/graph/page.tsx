import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { GraphView } from '@/components/graph/graph-view';
import { Loading } from '@/components/ui/status';
import { holdsPermission } from '@/server/domain/authz/decide';
import { currentSession } from '@/server/web/current-session';

export default async function GraphPage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) return null;
  if (!holdsPermission({ grants: resolved.grants, mfaVerified: resolved.session.mfaVerified }, 'graph:read').allowed) notFound();
  return (
    <Suspense fallback={<Loading what="the traffic graph" />}>
      <GraphView />
    </Suspense>
  );
}
