'use client';
// One finding: the rule that fired and why, when it started, its evidence (the usage chart
// or the flows), the responses taken so far, and the next steps for those who may act:
// notify the tenant admins, propose a quarantine or a quota squeeze (change requests), put
// the workload to sleep, or resolve the finding. Every step asks for a reason.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText, Loading } from '@/components/ui/status';
import { SEVERITY_BADGE, SLEEP_STATUS, subject, utc } from './labels';
import { UsageChart } from './usage-chart';

const ACTION_WORDS: Record<string, string> = {
  notify: 'notified the tenant admins',
  quarantine: 'proposed a quarantine',
  'quota-squeeze': 'proposed a quota squeeze',
  sleep: 'put the workload to sleep',
  wake: 'woke the workload',
  resolve: 'resolved the finding',
  reopen: 'reopened the finding',
};

export function FindingDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.abuse.finding.queryOptions({ id }, { refetchInterval: 5_000 }));
  if (q.isPending) return <Loading what="the finding" />;
  if (q.error) return <ErrorText error={q.error} />;
  const { finding: f, actions, sleeps, may } = q.data;
  const ev = f.evidence;
  return (
    <>
      <p>
        <Link href="/findings">← All findings</Link>
      </p>
      <h1>
        {f.title}: <span className="mono">{subject(f)}</span>
      </h1>
      <p className="row">
        <span className={`badge ${SEVERITY_BADGE[f.severity]}`}>{f.severity}</span>
        <span className="badge">{f.status}</span>
        <span className="muted small">
          Tenant {f.tenant} · cluster {f.cluster} · rule <span className="mono">{f.rule}</span>
        </span>
      </p>
      <section className="card" aria-labelledby="why">
        <h2 id="why">Why it fired</h2>
        <p data-testid="finding-summary">{f.summary}</p>
        <dl className="small">
          <dt>Started</dt>
          <dd data-testid="finding-started">{utc(f.startedAt)}</dd>
          <dt>Last seen</dt>
          <dd>{utc(f.lastSeenAt)}</dd>
          <dt>Detected</dt>
          <dd>{utc(f.detectedAt)}</dd>
          {f.status === 'resolved' && (
            <>
              <dt>Resolved</dt>
              <dd>
                {utc(f.resolvedAt)}: “{f.resolution}”
              </dd>
            </>
          )}
        </dl>
      </section>
      <section className="card" aria-labelledby="evidence">
        <h2 id="evidence">Evidence</h2>
        {ev.kind === 'usage' && <UsageChart points={ev.points} />}
        {ev.kind === 'flows' && (
          <table aria-label="Flows behind the finding">
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Port</th>
                <th scope="col">Verdict</th>
                <th scope="col">Connections</th>
                <th scope="col">First / last minute (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {ev.flows.map((fl) => (
                <tr key={`${fl.from}>${fl.to}:${fl.port}/${fl.protocol}/${fl.verdict}`}>
                  <td className="mono small">{fl.from}</td>
                  <td className="mono small">{fl.to}</td>
                  <td className="mono small">
                    {fl.port}/{fl.protocol}
                  </td>
                  <td>
                    <span className={`badge ${fl.verdict === 'allowed' ? 'warn' : 'denied'}`}>{fl.verdict}</span>
                  </td>
                  <td>{fl.count.toLocaleString('en-US')}</td>
                  <td className="small nowrap">
                    {fl.firstMinute.slice(0, 16).replace('T', ' ')} – {fl.lastMinute.slice(11, 16)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {ev.kind === 'quota' && (
          <table aria-label="Quota samples behind the finding">
            <thead>
              <tr>
                <th scope="col">Minute (UTC)</th>
                <th scope="col">Quota</th>
                <th scope="col">Resource</th>
                <th scope="col">Used / hard</th>
              </tr>
            </thead>
            <tbody>
              {ev.samples.slice(-30).map((s) => (
                <tr key={`${s.at}/${s.quota}/${s.resource}`}>
                  <td className="small">{s.at.slice(0, 16).replace('T', ' ')}</td>
                  <td className="mono small">{s.quota}</td>
                  <td className="mono small">{s.resource}</td>
                  <td className="mono small">
                    {s.used} / {s.hard}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {f.workload && (
          <p className="small">
            <Link href={`/graph?ns=${encodeURIComponent(f.namespace)}&level=workload`}>See {f.namespace} in the traffic graph</Link>
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="responses">
        <h2 id="responses">Responses</h2>
        {actions.length === 0 ? (
          <p className="muted">No response yet.</p>
        ) : (
          <ol className="small" data-testid="responses">
            {actions.map((a) => (
              <li key={a.id}>
                {utc(a.createdAt)}: <strong>{a.actor}</strong> {ACTION_WORDS[a.action] ?? a.action}: “{a.reason}”
                {a.change && (
                  <>
                    {' '}
                    — <Link href={`/changes/${a.change.id}`}>{a.change.title}</Link> <span className={`badge status-${a.change.status}`}>{a.change.status}</span>
                  </>
                )}
              </li>
            ))}
          </ol>
        )}
        {sleeps.length > 0 && (
          <p className="small">
            Sleep: {SLEEP_STATUS[sleeps[0]!.status] ?? sleeps[0]!.status} since {utc(sleeps[0]!.sleptAt)}
            {sleeps[0]!.message ? ` (${sleeps[0]!.message})` : ''}. Wake it from <Link href="/findings#sleeps-heading">Sleeping workloads</Link>.
          </p>
        )}
        {f.status === 'open' && (may.respond || may.sleep) && <Respond findingId={f.id} workload={f.workload} may={may} sleeping={sleeps.some((s) => ['sleeping', 'asleep', 'waking'].includes(s.status))} clusterId={f.clusterId} namespace={f.namespace} />}
        {!may.respond && <p className="muted small">The security team responds to findings; you are notified here and on the Findings page.</p>}
      </section>
    </>
  );
}

type Step = 'notify' | 'quarantine' | 'squeeze' | 'sleep' | 'resolve';

function Respond(props: { findingId: string; workload: string; namespace: string; clusterId: string; may: { respond: boolean; sleep: boolean }; sleeping: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [step, setStep] = useState<Step>('notify');
  const [reason, setReason] = useState('');
  const [percent, setPercent] = useState(50);
  const refresh = () => {
    setReason('');
    return qc.invalidateQueries({ queryKey: trpc.abuse.finding.queryKey({ id: props.findingId }) });
  };
  const notify = useMutation(trpc.abuse.notify.mutationOptions({ onSuccess: refresh }));
  const quarantine = useMutation(trpc.abuse.quarantine.mutationOptions({ onSuccess: refresh }));
  const squeeze = useMutation(trpc.abuse.squeeze.mutationOptions({ onSuccess: refresh }));
  const sleep = useMutation(trpc.abuse.sleep.mutationOptions({ onSuccess: refresh }));
  const resolve = useMutation(trpc.abuse.resolve.mutationOptions({ onSuccess: refresh }));
  const all = { notify, quarantine, squeeze, sleep, resolve };
  const steps: { id: Step; label: string; allowed: boolean; explain: string }[] = [
    { id: 'notify', label: 'Notify the tenant admins', allowed: props.may.respond, explain: 'They see it on their Findings page with your reason and what was seen.' },
    { id: 'quarantine', label: 'Propose a quarantine', allowed: props.may.respond && props.workload !== '', explain: 'A change request with a NetworkPolicy denying all egress of this workload. It needs an approver before the agent applies it; roll it back to undo.' },
    { id: 'squeeze', label: 'Propose a quota squeeze', allowed: props.may.respond, explain: 'A change request lowering the namespace’s CPU and memory quota ceilings. Needs approval; roll it back to undo.' },
    { id: 'sleep', label: 'Put the workload to sleep', allowed: props.may.sleep && props.workload !== '' && !props.sleeping, explain: 'The agent scales it to zero (a CronJob is suspended) and keeps the original replicas on the object; waking restores exactly that. No approval: it is reversible and audited.' },
    { id: 'resolve', label: 'Resolve the finding', allowed: props.may.respond, explain: 'Closes it. If the behaviour goes on, the next detection run opens a new finding.' },
  ];
  const available = steps.filter((s) => s.allowed);
  const current = available.find((s) => s.id === step) ?? available[0];
  if (!current) return null;
  const m = all[current.id];
  const submit = () => {
    if (current.id === 'notify') notify.mutate({ findingId: props.findingId, reason });
    if (current.id === 'quarantine') quarantine.mutate({ findingId: props.findingId, reason });
    if (current.id === 'squeeze') squeeze.mutate({ findingId: props.findingId, reason, percent });
    if (current.id === 'resolve') resolve.mutate({ findingId: props.findingId, reason });
    if (current.id === 'sleep') sleep.mutate({ clusterId: props.clusterId, namespace: props.namespace, workload: props.workload, reason, findingId: props.findingId });
  };
  const changeId = current.id === 'quarantine' ? quarantine.data?.changeId : current.id === 'squeeze' ? squeeze.data?.changeId : undefined;
  return (
    <form
      className="stack"
      aria-label="Respond to the finding"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <fieldset className="row" style={{ flexWrap: 'wrap', border: 'none', padding: 0 }}>
        <legend className="label">Next step</legend>
        {available.map((s) => (
          <label key={s.id} className="row" style={{ flexDirection: 'row' }}>
            <input type="radio" name="step" value={s.id} checked={current.id === s.id} onChange={() => setStep(s.id)} /> {s.label}
          </label>
        ))}
      </fieldset>
      <p className="muted small">{current.explain}</p>
      {current.id === 'squeeze' && (
        <label>
          <span className="label">Lower the ceilings to (percent of today’s)</span>
          <input type="number" min={1} max={99} value={percent} onChange={(e) => setPercent(Number(e.target.value))} />
        </label>
      )}
      <label>
        <span className="label">Reason (the tenant admins see it)</span>
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} rows={2} />
      </label>
      <div className="row">
        <button type="submit" className="primary" disabled={m.isPending}>
          {current.label}
        </button>
        {m.isPending && <span className="muted small" role="status">Working…</span>}
        {changeId && (
          <span role="status">
            Change request created: <Link href={`/changes/${changeId}`}>open it</Link> for review and approval.
          </span>
        )}
        {m.isSuccess && !changeId && <span className="muted small" role="status">Done.</span>}
      </div>
      <ErrorText error={m.error} />
    </form>
  );
}
