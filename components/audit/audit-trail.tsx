'use client';
// The audit trail, newest first. Filters live in the URL so a view can be shared; older
// events load by keyset, and the chain can be verified from here.
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';

const OUTCOMES = ['success', 'failure', 'denied'] as const;

export function AuditTrail({ canVerify }: { canVerify: boolean }) {
  const trpc = useTRPC();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const text = params.get('q') ?? '';
  const action = params.get('action') ?? '';
  const outcomeParam = params.get('outcome');
  const outcome = OUTCOMES.find((o) => o === outcomeParam);
  const [draft, setDraft] = useState(text);

  const setParam = (k: string, v: string) => {
    const next = new URLSearchParams(params.toString());
    if (v) next.set(k, v);
    else next.delete(k);
    router.replace(`${pathname}?${next.toString()}`);
  };

  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { limit: 50, text: text || undefined, action: action || undefined, outcome },
      { getNextPageParam: (last) => last.nextBefore ?? undefined, refetchInterval: 10_000 },
    ),
  );
  const verify = useMutation(trpc.audit.verify.mutationOptions());
  const rows = events.data?.pages.flatMap((p) => p.events) ?? [];

  return (
    <>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setParam('q', draft);
        }}
      >
        <label>
          Search actor or action
          <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="alice@ or sign_in" />
        </label>
        <label>
          Outcome
          <select value={outcome ?? ''} onChange={(e) => setParam('outcome', e.target.value)}>
            <option value="">any</option>
            {OUTCOMES.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
        {canVerify && (
          <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
            {verify.isPending ? 'Verifying…' : 'Verify chain'}
          </button>
        )}
      </form>
      {verify.data && (
        <p className={verify.data.ok ? 'notice' : 'banner error'} role="status">
          {verify.data.ok
            ? `Chain intact: ${verify.data.checked} events verified up to the head (seq ${verify.data.headSeq}).`
            : `Chain BROKEN at event ${verify.data.firstBreak.seq}: ${verify.data.firstBreak.message}.`}
        </p>
      )}
      <ErrorText error={verify.error} />
      {events.isPending ? (
        <Loading what="events" />
      ) : events.error ? (
        <ErrorText error={events.error} />
      ) : rows.length === 0 ? (
        <Empty>No events match.</Empty>
      ) : (
        <table className="audit">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">Resource</th>
              <th scope="col">From</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.seq}>
                <td className="muted">{e.seq}</td>
                <td className="nowrap">{e.occurredAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
                <td>{e.actorLabel ?? e.actorType}</td>
                <td>
                  <button type="button" className="link" onClick={() => setParam('action', action === e.action ? '' : e.action)} title="Filter by this action">
                    <code>{e.action}</code>
                  </button>
                </td>
                <td>
                  <span className={`badge ${e.outcome}`}>{e.outcome}</span>
                </td>
                <td className="small">{e.resourceType ? `${e.resourceType} ${e.resourceId ?? ''}` : ''}</td>
                <td className="small">{e.clientAddress ?? ''}</td>
                <td className="small mono">{Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {events.hasNextPage && (
        <button type="button" onClick={() => events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          {events.isFetchingNextPage ? 'Loading…' : 'Older events'}
        </button>
      )}
      {action && (
        <p className="small">
          Showing only <code>{action}</code>. <button type="button" className="link" onClick={() => setParam('action', '')}>Show all actions</button>
        </p>
      )}
    </>
  );
}
