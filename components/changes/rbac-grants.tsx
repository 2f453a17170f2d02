'use client';
// A change's time-bound grants on its page: each binding with its approved expiry and a live
// countdown, and what happened when it passed; on a removal Verity made, the grant it ends
// and why it needed no approval of its own.
import Link from 'next/link';
import { ExpiryCountdown } from '@/components/rbac/expiry';

interface GrantView {
  objectKey: string;
  kind: string;
  namespace: string | null;
  name: string;
  expiresAt: Date | string;
  removalChangeId: string | null;
  removalState: 'issued' | 'absent' | 'refused' | null;
  removalDetail: string | null;
  removedAt: Date | string | null;
}

const iso = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString());

export function TimeBoundGrants({ timeBound, status }: { timeBound: { grants: GrantView[]; removes: (GrantView & { grantChangeId: string; grantTitle: string })[] }; status: string }) {
  if (timeBound.grants.length === 0 && timeBound.removes.length === 0) return null;
  const live = status === 'applied' || status === 'partial';
  return (
    <section className="card" aria-labelledby="time-bound">
      <h2 id="time-bound">{timeBound.removes.length > 0 ? 'Removal of an expired grant' : 'Time-bound grant'}</h2>
      {timeBound.removes.length > 0 && (
        <p className="small" data-testid="grant-removal">
          Verity made this change on its own when the grant of{' '}
          {[...new Map(timeBound.removes.map((r) => [r.grantChangeId, r])).values()].map((r, i) => (
            <span key={r.grantChangeId}>
              {i > 0 && ', '}
              <Link href={`/changes/${r.grantChangeId}`}>{r.grantTitle}</Link>
            </span>
          ))}{' '}
          expired. Its approvers approved the expiry with the grant, so the removal carries their approvals and the grant’s signed bundle, which the agent checks; it needs no new
          approval.
        </p>
      )}
      <ul className="rbac-subjects">
        {(timeBound.removes.length > 0 ? timeBound.removes : timeBound.grants).map((g) => (
          <li key={g.objectKey} data-testid="time-bound-binding">
            <code>
              {g.kind} {g.namespace ? `${g.namespace}/` : ''}
              {g.name}
            </code>
            <ExpiryCountdown expiresAt={iso(g.expiresAt)} removed={Boolean(g.removedAt)} />
            <span className="small">
              {g.removedAt
                ? g.removalState === 'absent'
                  ? ' · it was already gone from the cluster'
                  : ` · removed ${iso(g.removedAt).slice(0, 19).replace('T', ' ')} UTC`
                : g.removalState === 'issued'
                  ? ' · removal issued to the agent'
                  : g.removalState === 'refused'
                    ? ` · could not be removed: ${g.removalDetail ?? ''}`
                    : live
                      ? ' · removed automatically when it expires'
                      : ' · starts when this change is applied'}
              {g.removalDetail && g.removalState === null && <span className="error"> ({g.removalDetail})</span>}
              {g.removalChangeId && timeBound.removes.length === 0 && (
                <>
                  {' · '}
                  <Link href={`/changes/${g.removalChangeId}`}>the removal</Link>
                </>
              )}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
