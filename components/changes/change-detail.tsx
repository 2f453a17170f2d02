'use client';
// One change request as requester and approver see it: status, the preview's progress while
// the server computes it (diff, flow impact, RBAC, dry run), the preview itself (diffs unified
// or side by side, the agent's dry run, flows whose verdict flips, over-permission, history
// coverage, RBAC blast radius), approvals against the rule, the decision form (reason and a
// fresh authentication code), comments, and per-object results once applied.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { type DiffMode, DiffView, parseDiffMode } from '@/components/changes/diff-view';
import { MeshPreviewView } from '@/components/changes/netpol-mesh-preview';
import { TimeBoundGrants } from '@/components/changes/rbac-grants';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';
import type { Preview } from '@/server/domain/changes/build-preview';
import type { DryRunRecord } from '@/server/domain/changes/dry-run';
import { FLOW_WINDOWS, type FlowWindowHours, flowWindowLabel } from '@/server/domain/changes/flow-windows';

const STAGE_TEXT: Record<string, string> = { diff: 'Diff against the cluster', 'flow-impact': 'Flow impact', rbac: 'RBAC blast radius', 'dry-run': 'Server-side dry run' };
const STAGE_STATE_TEXT: Record<string, string> = { waiting: 'waiting', running: 'in progress', done: 'done', skipped: 'not needed', failed: 'failed' };
const OPEN_JOB = ['queued', 'computing', 'dry-run'];

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
  expired: 'Expired: its approvals lapsed before the agent applied it',
};

export function ChangeDetail({ changeId }: { changeId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const diffMode = parseDiffMode(params.get('diff'));
  const setDiffMode = (mode: DiffMode) => {
    const next = new URLSearchParams(params);
    if (mode === 'unified') next.delete('diff');
    else next.set('diff', mode);
    router.replace(`${pathname}${next.size ? `?${next}` : ''}`, { scroll: false });
  };
  const [windowHours, setWindowHours] = useState<FlowWindowHours>(FLOW_WINDOWS['1d'].hours);
  // The page follows the change live: quickly while its preview is being computed, then
  // while it waits for approvals or the agent.
  const change = useQuery(
    trpc.changes.get.queryOptions(
      { changeId },
      {
        refetchInterval: (q) =>
          OPEN_JOB.includes(String(q.state.data?.previewJob?.state)) && q.state.data?.status === 'pending' ? 1_000 : ['applying', 'approved', 'pending'].includes(String(q.state.data?.status)) ? 3_000 : false,
      },
    ),
  );
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.changes.get.queryKey({ changeId }) });
  const submit = useMutation(trpc.changes.submit.mutationOptions({ onSuccess: refresh }));
  const cancel = useMutation(trpc.changes.cancel.mutationOptions({ onSuccess: refresh }));
  const rebase = useMutation(trpc.changes.rebase.mutationOptions({ onSuccess: refresh }));
  const rollback = useMutation(trpc.changes.rollback.mutationOptions({ onSuccess: (r) => window.location.assign(`/changes/${r.id}`) }));

  if (change.isPending) return <Loading what="the change request" />;
  if (change.error) return <ErrorText error={change.error} />;
  const c = change.data;
  const preview = c.preview as Preview | null;
  const job = c.previewJob;
  const computing = c.status === 'pending' && job !== null && OPEN_JOB.includes(job.state);
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
      <TimeBoundGrants timeBound={c.timeBound} status={c.status} />
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
            <>
              <label className="inline">
                Flow history for the preview{' '}
                <select value={windowHours} onChange={(e) => setWindowHours(Number(e.target.value) as FlowWindowHours)}>
                  {Object.values(FLOW_WINDOWS).map((w) => (
                    <option key={w.hours} value={w.hours}>
                      {w.label.replace(/^the /, '')}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" className="primary" onClick={() => submit.mutate({ changeId: c.id, windowHours })} disabled={submit.isPending || (c.problems as unknown[]).length > 0}>
                {submit.isPending ? 'Submitting…' : 'Submit for approval'}
              </button>
            </>
          )}
          <button type="button" onClick={() => cancel.mutate({ changeId: c.id })} disabled={cancel.isPending}>
            Cancel change
          </button>
          <ErrorText error={submit.error ?? cancel.error} />
        </div>
      )}

      {c.viewer.isRequester && (c.status === 'stale' || c.status === 'failed' || c.status === 'expired') && (
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
      {job && c.status === 'pending' && (computing || job.state === 'failed') && <PreviewProgress job={job} />}
      {preview ? (
        <PreviewView preview={preview} diffMode={diffMode} onDiffMode={setDiffMode} />
      ) : c.status === 'draft' ? (
        <Empty>The preview is computed when the change is submitted.</Empty>
      ) : null}
      {c.status === 'pending' && !c.digest && (
        <section className="card" aria-labelledby="approvals-closed">
          <h2 id="approvals-closed">Approvals</h2>
          <p className="small" data-testid="approvals-closed">
            {computing
              ? 'Approvals open once the preview is complete, dry run included: an approval signs exactly what was previewed.'
              : job?.state === 'failed'
                ? 'The preview could not be computed, so nothing can be approved. Edit the change and submit it again.'
                : 'Nothing can be approved: the dry run refused this change. Edit it (or rebase it on the cluster as it is now) and submit it again.'}
          </p>
        </section>
      )}

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

function PreviewProgress({ job }: { job: { state: string; stages: Record<string, unknown>; windowHours: number; dryRunDeadline: Date | null; error: string | null } }) {
  const stages = ['diff', 'flow-impact', 'rbac', 'dry-run'];
  return (
    <section className="card" aria-labelledby="progress" aria-busy={job.state !== 'failed'}>
      <h2 id="progress">Computing the preview</h2>
      <p className="small muted">
        The server computes the preview over {flowWindowLabel(job.windowHours)} of observed flows; this page follows it. You can leave and come back.
      </p>
      <ol className="stages" data-testid="preview-progress">
        {stages.map((name) => {
          const st = (job.stages[name] ?? { state: 'waiting' }) as { state: string; detail?: string };
          return (
            <li key={name} className={`stage stage-${st.state}`} aria-current={st.state === 'running' ? 'step' : undefined}>
              <strong>{STAGE_TEXT[name]}</strong>: {STAGE_STATE_TEXT[st.state] ?? st.state}
              {st.detail && <span className="muted"> · {st.detail}</span>}
              {name === 'dry-run' && st.state === 'running' && job.dryRunDeadline && (
                <span className="muted"> (recorded as unavailable if the agent has not answered by {new Date(job.dryRunDeadline).toISOString().slice(11, 19)} UTC)</span>
              )}
            </li>
          );
        })}
      </ol>
      {job.state === 'failed' && <p className="error" role="alert">The preview failed: {job.error}</p>}
    </section>
  );
}

function Coverage({ netpol }: { netpol: NonNullable<Preview['netpol']> }) {
  const cov = netpol.coverage;
  if (!cov) return <p className="small muted">({netpol.window.minutesWithData} minutes with data.) Flows that did not happen in the window (a weekly job) are not covered.</p>;
  const share = Math.min(100, Math.round((cov.minutesWithData / cov.windowMinutes) * 100));
  const hours = cov.windowMinutes >= 120 ? `${Math.round(cov.windowMinutes / 60)} h` : `${cov.windowMinutes} min`;
  return (
    <>
      <p className="small" data-testid="coverage">
        History covered: flow data in {cov.minutesWithData} of the window’s {cov.windowMinutes} minutes ({share} % of {hours}). Traffic that did not happen in this window is not in the preview.
      </p>
      {share < 50 && (
        <p className="banner warn small" role="status">
          Flow data covers only {share} % of the window: the agent may be new or was disconnected. Nightly or weekly traffic may be missing from this preview.
        </p>
      )}
      {cov.rareFlips > 0 && (
        <p className="banner warn small" role="status" data-testid="rare-warning">
          {cov.rareFlips} of the flows whose verdict changes {cov.rareFlips === 1 ? 'was' : 'were'} seen only rarely (a few connections, or in one or two minutes): likely periodic jobs. Their next run may fall
          outside any window you preview; check them with their owners.
        </p>
      )}
      {cov.rareFlips === 0 && cov.rareFlows > 0 && <p className="small muted">{cov.rareFlows} of the flows considered were seen only rarely; none of them changes verdict.</p>}
    </>
  );
}

function DiffModeToggle({ mode, onChange }: { mode: DiffMode; onChange: (m: DiffMode) => void }) {
  return (
    <div className="segmented" role="radiogroup" aria-label="Diff layout">
      {(['unified', 'split'] as const).map((m) => (
        <button key={m} type="button" role="radio" aria-checked={mode === m} className={mode === m ? 'active' : ''} onClick={() => onChange(m)}>
          {m === 'unified' ? 'Unified' : 'Side by side'}
        </button>
      ))}
    </div>
  );
}

function DryRunView({ dryRun, diffMode }: { dryRun: DryRunRecord; diffMode: DiffMode }) {
  if (dryRun.state === 'pending')
    return (
      <p className="small" role="status">
        Waiting for the agent’s dry run (until {dryRun.deadline.slice(11, 19)} UTC).
      </p>
    );
  if (dryRun.state === 'unavailable')
    return (
      <p className="banner warn" role="status" data-testid="dry-run-state">
        No server-side dry run: {dryRun.reason}. Approvers decide on the preview without it: what the cluster would add (defaults, admission changes) is not shown, and the API server may still
        refuse the change when it is applied. The approval covers this preview as it is, without a dry run.
      </p>
    );
  return (
    <>
      {dryRun.state === 'answered' ? (
        <p className="notice" data-testid="dry-run-state">
          The cluster’s API server accepted every object in a dry run at {dryRun.at.slice(0, 19).replace('T', ' ')} UTC. Below, what it would store compared with what was submitted.
        </p>
      ) : (
        <p className="banner error" role="alert" data-testid="dry-run-state">
          {dryRun.state === 'stale' ? 'The dry run found the cluster changed since the preview read it' : 'The dry run refused this change'}: {dryRun.reason}. It cannot be approved until it is edited and
          submitted again.
        </p>
      )}
      {dryRun.objects.map((o) => (
        <details key={o.key} open={o.outcome === 'failed' || (o.stored !== null && o.stored !== o.submitted)}>
          <summary>
            <span className={`badge ${o.outcome === 'failed' || o.outcome === 'stale' ? 'failure' : 'success'}`}>{o.outcome}</span> <code>{o.key}</code>
            {o.message && <span className="small"> {o.message}</span>}
            {o.stored !== null && o.stored === o.submitted && <span className="muted small"> · stored exactly as submitted</span>}
          </summary>
          {o.stored !== null && o.stored !== o.submitted && <DiffView before={o.submitted ?? ''} after={o.stored} mode={diffMode} beforeLabel="Submitted" afterLabel="Cluster would store" name={o.key} />}
        </details>
      ))}
    </>
  );
}

function PreviewView({ preview, diffMode, onDiffMode }: { preview: Preview; diffMode: DiffMode; onDiffMode: (m: DiffMode) => void }) {
  return (
    <>
      <section className="card" aria-labelledby="objects">
        <div className="row spread">
          <h2 id="objects">Objects ({preview.objects.length})</h2>
          <DiffModeToggle mode={diffMode} onChange={onDiffMode} />
        </div>
        <p className="small muted">Each object against the cluster’s current object from inventory (live on the left or struck through, proposed on the right or added).</p>
        {preview.objects.map((o) => (
          <details key={o.key} open>
            <summary>
              <span className="badge">{o.action}</span> <code>{o.key}</code>
            </summary>
            {o.action === 'unchanged' ? (
              <p className="muted small">Identical to the live object.</p>
            ) : (
              <DiffView before={o.before ?? ''} after={o.after ?? ''} mode={diffMode} beforeLabel={o.before === null ? 'Absent from the cluster' : 'Live'} afterLabel={o.after === null ? 'Deleted' : 'Proposed'} name={o.key} />
            )}
          </details>
        ))}
      </section>
      <section className="card" aria-labelledby="dry-run">
        <h2 id="dry-run">Server-side dry run</h2>
        {preview.dryRun ? <DryRunView dryRun={preview.dryRun} diffMode={diffMode} /> : <p className="muted small">This preview was computed before dry runs were recorded.</p>}
      </section>
      {preview.netpol && (
        <section className="card" aria-labelledby="impact">
          <h2 id="impact">Traffic impact</h2>
          <p className="small">
            {preview.netpol.newlyDenied} observed flow{preview.netpol.newlyDenied === 1 ? '' : 's'} would be <strong>blocked</strong>, {preview.netpol.newlyAllowed} newly allowed, of {preview.netpol.flowsConsidered} distinct flows seen between {preview.netpol.window.from.slice(0, 16).replace('T', ' ')} and{' '}
            {preview.netpol.window.to.slice(0, 16).replace('T', ' ')} UTC.
          </p>
          <Coverage netpol={preview.netpol} />
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
                      {f.minutes !== null && f.minutes !== undefined && <span className="muted"> in {f.minutes} min</span>}
                      {f.rare && (
                        <>
                          <br />
                          <span className="badge warn">rarely seen</span>
                        </>
                      )}
                    </td>
                    <td className="small pre">{f.explanation}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Allowed but unused (over-permission)</h3>
          {preview.netpol.unusedNotComputed ? (
            <p className="small muted">Not enumerated: {preview.netpol.unusedNotComputed}.</p>
          ) : (preview.netpol.unusedAllowedTotal ?? preview.netpol.unusedAllowedPaths.length) === 0 ? (
            <p className="small muted" data-testid="over-permission">
              Every path the proposed policies allow{preview.netpol.allowedPathsTotal !== undefined ? ` (${preview.netpol.allowedPathsTotal})` : ''} was used by an observed flow in the window.
            </p>
          ) : (
            <>
              <p className="small" data-testid="over-permission">
                {preview.netpol.unusedAllowedTotal ?? preview.netpol.unusedAllowedPaths.length} of {preview.netpol.allowedPathsTotal ?? '?'} workload-to-port paths the proposed policies allow carried no observed flow in the window
                {(preview.netpol.unusedAllowedTotal ?? 0) > preview.netpol.unusedAllowedPaths.length && ` (the first ${preview.netpol.unusedAllowedPaths.length} listed)`}: consider narrowing them.
              </p>
              <ul className="small">
                {preview.netpol.unusedAllowedPaths.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
      {preview.mesh && <MeshPreviewView mesh={preview.mesh} />}
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
