'use client';
// Change requests: all, mine, or waiting for my decision (the view lives in the URL).
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';

const VIEWS = [
  { id: 'all', label: 'All' },
  { id: 'mine', label: 'Mine' },
  { id: 'inbox', label: 'Waiting for my decision' },
] as const;

export function ChangesList({ canPropose }: { canPropose: boolean }) {
  const trpc = useTRPC();
  const params = useSearchParams();
  const view = VIEWS.find((v) => v.id === params.get('view'))?.id ?? 'all';
  const list = useQuery(trpc.changes.list.queryOptions({ view }, { refetchInterval: 10_000 }));
  return (
    <>
      <nav className="row tabs" aria-label="Which changes">
        {VIEWS.map((v) => (
          <Link key={v.id} href={`/changes?view=${v.id}`} aria-current={v.id === view ? 'page' : undefined} className={v.id === view ? 'active' : ''}>
            {v.label}
          </Link>
        ))}
        <span className="spacer" />
        {canPropose && (
          <Link className="button primary" href="/changes/new">
            New change
          </Link>
        )}
      </nav>
      {list.isPending ? (
        <Loading what="changes" />
      ) : list.error ? (
        <ErrorText error={list.error} />
      ) : list.data.length === 0 ? (
        <Empty>{view === 'inbox' ? 'Nothing is waiting for your decision.' : 'No change requests yet.'}</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Status</th>
              <th scope="col">Tenant</th>
              <th scope="col">Cluster</th>
              <th scope="col">Requested by</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link href={`/changes/${c.id}`}>{c.title}</Link> <span className="muted small">({c.objects} object{c.objects === 1 ? '' : 's'})</span>
                </td>
                <td>
                  <span className={`badge status-${c.status}`}>{c.status}</span>
                  {c.canApprove && !c.decidedByMe && c.status === 'pending' && <span className="badge warn"> needs you</span>}
                </td>
                <td>{c.tenant}</td>
                <td>{c.cluster}</td>
                <td>{c.requester}</td>
                <td className="muted small">{c.updatedAt.toISOString().slice(0, 16).replace('T', ' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
