import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { GraphView, type InitialGraph } from '@/components/graph/graph-view';
import { graphQueryInput, readUrlState } from '@/components/graph/url-state';
import { Loading } from '@/components/ui/status';
import { holdsPermission } from '@/server/domain/authz/decide';
import { readGraph } from '@/server/services/graph/read-graph';
import { currentSession, pageContext } from '@/server/web/current-session';

export default async function GraphPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { db, resolved } = await currentSession();
  if (!resolved.ok) return null;
  if (!holdsPermission({ grants: resolved.grants, mfaVerified: resolved.session.mfaVerified }, 'graph:read').allowed) notFound();
  // The graph for this URL is computed while the browser loads the page's code and streamed to
  // it, instead of being asked for once the code runs. If it fails, the browser asks itself
  // and says what went wrong.
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(await searchParams)) for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) params.append(k, x);
  const input = graphQueryInput(readUrlState(params));
  const initial: Promise<InitialGraph | null> = readGraph(pageContext(db, resolved), input).then(
    (data) => ({ input, data, at: Date.now() }),
    () => null,
  );
  return (
    <Suspense fallback={<Loading what="the traffic graph" />}>
      <GraphView initial={initial} />
    </Suspense>
  );
}
