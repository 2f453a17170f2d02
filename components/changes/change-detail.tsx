'use client';
// One change request as requester and approver see it: status, the preview (diffs, flows
// whose verdict flips, RBAC blast radius), approvals against the rule, the decision form
// (reason and a fresh authentication code), comments, and per-object results once applied.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';

type Preview = {
  objects: { key: string; action: string; unified: string }[];
  netpol: null | { flips: { source: string; destination: string; port: number; protocol: string; count: number; change: string; explanation: string; rare: boolean }[]; newlyDenied: number; newlyAllowed: number; flowsConsidered: number; window: { from: string; to: string; minutesWithData: number }; unusedAllowedPaths: string[] };
  rbac: null | { subjects: { subject: string; gained: string[]; lost: string[] }[]; findingsAdded: { severity: string; message: string }[]; findingsRemoved: { severity: string; message: string }[] };
};

const STATUS_TEXT: Record<string, string> = {
  draft: 'Draft',
  pending: 'Waiting for approval',
  approved: 'Approved',
  applying: 'Applying through the agent',
  applied: 'Applied',
  partial: 'Partly applied',
  failed: 'Failed',
  stale: 'Stale: the cluster changed since review',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
};

export function ChangeDetail({ changeId }: { changeId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const change = useQuery(trpc.changes.get.queryOptions({ changeId }, { refetchInterval: (q) => (['applying', 'approved', 'pending'].includes(String(q.state.data?.status)) ? 3_000 : false) }));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.changes.get.queryKey({ changeId }) });
  const submit = useMutation(trpc.changes.submit.mutationOptions({ onSuccess: refresh }));
  const cancel = useMutation(trpc.changes.cancel.mutationOptions({ onSuccess: refresh }));
  const rebase = useMutation(trpc.changes.rebase.mutationOptions({ onSuccess: refresh }));
  const rollback = useMutation(trpc.changes.rollback.mutationOptions({ onSuccess: (r) => window.location.assign(`/changes/${r.id}`) }));

  if (change.isPending) return <Loading what="the change request" />;
  if (change.error) return <ErrorText error={change.error} />;
  const c = change.data;
  const preview = c.preview as Preview | null;
  const result = c.result as { results?: { ref: { kind: string; namespace: string | null; name: string }; outcome: string; message?: string; auditId?: string }[]; message?: string } | null;
  const open = ['draft', 'pending', 'rejected'].includes(c.status);

  return (
    <>
      <h1>{c.title}</h1>
      <p className="row">
        <span className={`badge status-${c.status}`} data-testid="change-status">
          {STATUS_TEXT[c.status] ?? c.status}
        </span>
        <span className="muted small">
          {c.tenant ? `tenant ${c.tenant.name}` : 'global'} · cluster {c.cluster} · by {c.requester} · revision {c.revision}
        </span>
      </p>
      {c.description && <p>{c.description}</p>}
      {c.overlapping.length > 0 && (
        <p className="banner warn" role="status">
          Other open changes touch the same objects:{' '}
          {c.overlapping.map((o) => (
            <Link key={o.id} href={`/changes/${o.id}`}>
              {o.title} ({o.objects.join(', ')})
            </Link>
          ))}
        </p>
      )}
      {c.viewer.isRequester && open && (
        <div className="row">
          <Link className="button" href={`/changes/${c.id}/edit`}>
            Edit{c.status === 'pending' ? ' (clears approvals)' : ''}
          </Link>
          {c.status === 'draft' && (
            <button type="button" className="primary" onClick={() => submit.mutate({ changeId: c.id })} disabled={submit.isPending || (c.problems as unknown[]).length > 0}>
              {submit.isPending ? 'Computing the preview…' : 'Submit for approval'}
            </button>
          )}
          <button type="button" onClick={() => cancel.mutate({ changeId: c.id })} disabled={cancel.isPending}>
            Cancel change
          </button>
          <ErrorText error={submit.error ?? cancel.error} />
        </div>
      )}

      {c.viewer.isRequester && (c.status === 'stale' || c.status === 'failed') && (
        <div className="row">
          <button type="button" className="primary" onClick={() => rebase.mutate({ changeId: c.id })} disabled={rebase.isPending}>
            Rebase on the cluster as it is now (new preview, new approvals)
          </button>
          <ErrorText error={rebase.error} />
        </div>
      )}
      {(c.status === 'applied' || c.status === 'partial') && c.viewer.canPropose && (
        <div className="row">
          <button type="button" onClick={() => rollback.mutate({ changeId: c.id })} disabled={rollback.isPending}>
            {rollback.isPending ? 'Drafting the inverse…' : 'Roll back (drafts the inverse change)'}
          </button>
          <ErrorText error={rollback.error} />
        </div>
      )}
      {c.rollsBack && (
        <p className="small">
          This change rolls back <Link href={`/changes/${c.rollsBack}`}>an earlier change</Link>.
        </p>
      )}
      {result?.results && (
        <section className="card" aria-labelledby="result">
          <h2 id="result">What the agent did</h2>
          {result.message && <p>{result.message}</p>}
          {result.results.some((r) => r.outcome === 'unchanged' && preview?.objects.some((o) => o.key === `${r.ref.kind}/${r.ref.namespace ?? ''}/${r.ref.name}` && o.action !== 'unchanged')) && (
            <p className="banner warn" role="status">
              The cluster kept its previous content for an object this change meant to alter. Server-side apply leaves fields that another field manager owns; write such fields
              explicitly (for example <code>ingress: []</code>) in a new change.
            </p>
          )}
          <table>
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">Outcome</th>
                <th scope="col">Kubernetes Audit-Id</th>
              </tr>
            </thead>
            <tbody>
              {result.results.map((r, i) => (
                <tr key={i}>
                  <td>
                    {r.ref.kind} {r.ref.namespace ? `${r.ref.namespace}/` : ''}
                    {r.ref.name}
                  </td>
                  <td>
                    <span className={`badge ${r.outcome === 'applied' || r.outcome === 'deleted' || r.outcome === 'unchanged' ? 'success' : 'failure'}`}>{r.outcome}</span> {r.message}
                  </td>
                  <td className="mono small">{r.auditId ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {c.verification && (
        <section className="card" aria-labelledby="verify">
          <h2 id="verify">Does the cluster hold what was approved?</h2>
          <p className="muted small">Compared with the cluster as its agent last reported it; this re-checks on every refresh.</p>
          <ul>
            {c.verification.map((v) => (
              <li key={v.key}>
                <code>{v.key}</code>:{' '}
                {v.result.state === 'matches' ? (
                  <span className="badge success">matches</span>
                ) : v.result.state === 'drift' ? (
                  <>
                    <span className="badge failure">drift</span>
                    <ul className="small">
                      {v.result.differences.map((d) => (
                        <li key={d}>{d}</li>
                      ))}
                    </ul>
                  </>
                ) : (
                  <span className="badge failure">{v.result.state === 'missing' ? 'missing from the cluster' : 'still present in the cluster'}</span>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {preview ? <PreviewView preview={preview} /> : c.status === 'draft' ? <Empty>The preview is computed when the change is submitted.</Empty> : null}

      {c.digest && (
        <section className="card" aria-labelledby="approvals">
          <h2 id="approvals">Approvals</h2>
          <p className="small">
            Rule: {c.rule.requiredApprovals} approval{c.rule.requiredApprovals === 1 ? '' : 's'} from approvers of {c.tenant?.name ?? 'the global scope'}, never the requester; an approval
            counts for {Math.round(c.rule.approvalTtlMinutes / 60)} h and only for the content it saw (digest <code title={c.digest}>{c.digest.slice(0, 12)}…</code>).
            {c.approval && c.approval.missing > 0 && c.status === 'pending' && ` ${c.approval.missing} more needed.`}
          </p>
          {c.decisions.length === 0 ? (
            <Empty>No decisions yet.</Empty>
          ) : (
            <ul>
              {c.decisions.map((d) => (
                <li key={d.id}>
                  <strong>{d.email}</strong> {d.decision === 'approve' ? 'approved' : 'rejected'} at {d.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: “{d.reason}”{!d.current && <span className="muted"> (an earlier revision; does not count)</span>}
                </li>
              ))}
            </ul>
          )}
          {c.viewer.canApprove && c.status === 'pending' && <DecisionForm changeId={c.id} digest={c.digest} onDone={refresh} />}
        </section>
      )}
      <Comments changeId={c.id} comments={c.comments} onDone={refresh} />
    </>
  );
}

function PreviewView({ preview }: { preview: Preview }) {
  return (
    <>
      <section className="card" aria-labelledby="objects">
        <h2 id="objects">Objects ({preview.objects.length})</h2>
        {preview.objects.map((o) => (
          <details key={o.key} open>
            <summary>
              <span className="badge">{o.action}</span> <code>{o.key}</code>
            </summary>
            <pre className="diff" aria-label={`Diff of ${o.key}`}>
              {o.unified
                .split('\n')
                .slice(2)
                .map((line, i) => (
                  <span key={i} className={line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : ''}>
                    {line}
                    {'\n'}
                  </span>
                ))}
            </pre>
          </details>
        ))}
      </section>
      {preview.netpol && (
        <section className="card" aria-labelledby="impact">
          <h2 id="impact">Traffic impact</h2>
          <p className="small">
            {preview.netpol.newlyDenied} observed flow{preview.netpol.newlyDenied === 1 ? '' : 's'} would be <strong>blocked</strong>, {preview.netpol.newlyAllowed} newly allowed, of {preview.netpol.flowsConsidered} distinct flows seen between {preview.netpol.window.from.slice(0, 16).replace('T', ' ')} and{' '}
            {preview.netpol.window.to.slice(0, 16).replace('T', ' ')} UTC ({preview.netpol.window.minutesWithData} minutes with data). Flows that did not happen in this window (a weekly job) are not covered.
          </p>
          {preview.netpol.flips.length === 0 ? (
            <Empty>No observed flow changes verdict.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Change</th>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">Port</th>
                  <th scope="col">Connections</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {preview.netpol.flips.map((f, i) => (
                  <tr key={i}>
                    <td>
                      <span className={`badge ${f.change === 'allowed-to-denied' ? 'failure' : 'success'}`}>{f.change === 'allowed-to-denied' ? 'allowed → denied' : 'denied → allowed'}</span>
                    </td>
                    <td>{f.source}</td>
                    <td>{f.destination}</td>
                    <td>
                      {f.port}/{f.protocol}
                    </td>
                    <td>
                      {f.count}
                      {f.rare && <span className="muted"> (rare)</span>}
                    </td>
                    <td className="small pre">{f.explanation}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {preview.netpol.unusedAllowedPaths.length > 0 && (
            <>
              <h3>Allowed but unused</h3>
              <ul className="small">
                {preview.netpol.unusedAllowedPaths.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
      {preview.rbac && (
        <section className="card" aria-labelledby="rbac">
          <h2 id="rbac">Who gains and loses what</h2>
          {preview.rbac.subjects.length === 0 ? (
            <Empty>No subject's permissions change.</Empty>
          ) : (
            preview.rbac.subjects.map((s) => (
              <div key={s.subject}>
                <h3>{s.subject}</h3>
                <ul className="small">
                  {s.gained.map((g) => (
                    <li key={`+${g}`}>+ gains {g}</li>
                  ))}
                  {s.lost.map((g) => (
                    <li key={`-${g}`}>− loses {g}</li>
                  ))}
                </ul>
              </div>
            ))
          )}
          {preview.rbac.findingsAdded.length > 0 && (
            <p className="banner warn">
              New risk findings: {preview.rbac.findingsAdded.map((f) => `[${f.severity}] ${f.message}`).join('; ')}
            </p>
          )}
          {preview.rbac.findingsRemoved.length > 0 && <p className="notice">Resolves: {preview.rbac.findingsRemoved.map((f) => f.message).join('; ')}</p>}
        </section>
      )}
    </>
  );
}

function DecisionForm({ changeId, digest, onDone }: { changeId: string; digest: string; onDone: () => void }) {
  const trpc = useTRPC();
  const [reason, setReason] = useState('');
  const [code, setCode] = useState('');
  const decide = useMutation(trpc.changes.decide.mutationOptions({ onSuccess: onDone }));
  return (
    <form className="stack" aria-label="Decision" onSubmit={(e) => e.preventDefault()}>
      <label>
        Reason (required)
        <textarea required value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
      </label>
      <label>
        Authentication code (a fresh second factor is required to decide)
        <input inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />
      </label>
      <ErrorText error={decide.error} />
      <div className="row">
        <button type="button" className="primary" disabled={decide.isPending} onClick={() => decide.mutate({ changeId, decision: 'approve', reason, digest, totpCode: code })}>
          Approve
        </button>
        <button type="button" className="danger" disabled={decide.isPending} onClick={() => decide.mutate({ changeId, decision: 'reject', reason, digest, totpCode: code })}>
          Reject
        </button>
      </div>
    </form>
  );
}

function Comments({ changeId, comments, onDone }: { changeId: string; comments: { id: string; email: string; body: string; createdAt: Date }[]; onDone: () => void }) {
  const trpc = useTRPC();
  const [body, setBody] = useState('');
  const comment = useMutation(trpc.changes.comment.mutationOptions({ onSuccess: () => (setBody(''), onDone()) }));
  return (
    <section className="card" aria-labelledby="comments">
      <h2 id="comments">Comments</h2>
      {comments.length === 0 ? <p className="muted small">No comments.</p> : (
        <ul>
          {comments.map((c) => (
            <li key={c.id}>
              <strong>{c.email}</strong> <span className="muted small">{c.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</span>: {c.body}
            </li>
          ))}
        </ul>
      )}
      <form className="row" onSubmit={(e) => (e.preventDefault(), comment.mutate({ changeId, body }))}>
        <label className="grow">
          <span className="sr-only">Comment</span>
          <input value={body} onChange={(e) => setBody(e.target.value)} placeholder="Add a comment" />
        </label>
        <button type="submit" disabled={!body.trim() || comment.isPending}>
          Comment
        </button>
      </form>
      <ErrorText error={comment.error} />
    </section>
  );
}
