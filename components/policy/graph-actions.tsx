'use client';
// The graph's side panels propose changes from here: on a workload, a namespace or an edge,
// each action asks the server for a draft change request prefilled with the policies it
// needs (new, or added to one of the caller's drafts) and opens it. Shown only to people who
// may propose network policy; the server checks again, with their tenant's reach.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText } from '@/components/ui/status';
import { FLOW_WINDOW_KEYS, FLOW_WINDOWS, type FlowWindow as Range } from '@/server/domain/changes/flow-windows';
import './policy.css';

type Action =
  | { kind: 'allow-edge'; source: string; target: string; range?: Range }
  | { kind: 'remove-path'; source: string; target: string; range?: Range }
  | { kind: 'default-deny'; namespace: string; direction: 'ingress' | 'egress' | 'both'; keepDns: boolean }
  | { kind: 'allow-observed'; workload: string; range: Range }
  | { kind: 'require-strict'; namespace: string };


function useProposer(clusterId: string) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const canPropose = Boolean(me.data?.permissions.includes('netpol:propose'));
  const drafts = useQuery(trpc.changes.list.queryOptions({ view: 'mine' }, { enabled: canPropose }));
  const [into, setInto] = useState('');
  const draft = useMutation(trpc.changes.draftFromGraph.mutationOptions({ onSuccess: (r) => window.location.assign(`/changes/${r.id}/edit`) }));
  const run = (action: Action) => draft.mutate({ clusterId, ...(into ? { intoChangeId: into } : {}), action });
  const myDrafts = (drafts.data ?? []).filter((c) => c.status === 'draft');
  const target = (
    <label>
      Put it in
      <select value={into} onChange={(e) => setInto(e.target.value)}>
        <option value="">a new draft change request</option>
        {myDrafts.map((c) => (
          <option key={c.id} value={c.id}>
            my draft “{c.title}” ({c.tenant}, {c.cluster})
          </option>
        ))}
      </select>
    </label>
  );
  return { canPropose, run, pending: draft.isPending, error: draft.error, target };
}

function Frame({ children, p }: { children: React.ReactNode; p: ReturnType<typeof useProposer> }) {
  return (
    <section aria-label="Propose a change" className="stack policy-actions" style={{ gap: 8 }}>
      <h3>Propose a change</h3>
      {p.target}
      {children}
      {p.pending && (
        <p className="muted small" role="status">
          Drafting…
        </p>
      )}
      <ErrorText error={p.error} />
      <p className="hint">Each opens a draft change request, prefilled; nothing changes in the cluster until it is reviewed, approved and applied.</p>
    </section>
  );
}

/** Actions on a workload or a namespace node. */
export function NodeActions({ clusterId, kind, id, namespace }: { clusterId: string; kind: 'workload' | 'namespace'; id: string; namespace: string }) {
  const p = useProposer(clusterId);
  const [direction, setDirection] = useState<'ingress' | 'egress' | 'both'>('ingress');
  const [keepDns, setKeepDns] = useState(true);
  const [range, setRange] = useState<Range>('1d');
  if (!p.canPropose) return null;
  return (
    <Frame p={p}>
      {kind === 'workload' && (
        <div className="row" style={{ alignItems: 'end' }}>
          <label className="grow">
            Observed over
            <select value={range} onChange={(e) => setRange(e.target.value as Range)}>
              {FLOW_WINDOW_KEYS.map((r) => (
                <option key={r} value={r}>
                  {FLOW_WINDOWS[r].label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" disabled={p.pending} onClick={() => p.run({ kind: 'allow-observed', workload: id, range })}>
            Allow only what was observed
          </button>
        </div>
      )}
      <div className="row" style={{ alignItems: 'end', flexWrap: 'wrap' }}>
        <label className="grow">
          Default-deny direction
          <select value={direction} onChange={(e) => setDirection(e.target.value as typeof direction)}>
            <option value="ingress">ingress</option>
            <option value="egress">egress</option>
            <option value="both">ingress and egress</option>
          </select>
        </label>
        {direction !== 'ingress' && (
          <label style={{ flexDirection: 'row', alignItems: 'center', gap: 6 }}>
            <input type="checkbox" style={{ width: 'auto' }} checked={keepDns} onChange={(e) => setKeepDns(e.target.checked)} /> keep DNS
          </label>
        )}
        <button type="button" disabled={p.pending} onClick={() => p.run({ kind: 'default-deny', namespace, direction, keepDns })}>
          Default-deny namespace {namespace}
        </button>
      </div>
      <div>
        <button type="button" disabled={p.pending} onClick={() => p.run({ kind: 'require-strict', namespace })}>
          Require mutual TLS (STRICT) in {namespace}
        </button>
      </div>
    </Frame>
  );
}

/** Actions on an edge between two workloads (or a workload and an outside address block). */
export function EdgeActions({ clusterId, source, target, allowedBy }: { clusterId: string; source: string; target: string; allowedBy: string[] }) {
  const p = useProposer(clusterId);
  if (!p.canPropose) return null;
  const governable = [source, target].some((id) => id.startsWith('w:')) && [source, target].every((id) => id.startsWith('w:') || id.startsWith('ext:'));
  if (!governable) {
    return (
      <section aria-label="Propose a change" className="policy-actions">
        <h3>Propose a change</h3>
        <p className="hint">Expand the namespaces to act on an edge between workloads.</p>
      </section>
    );
  }
  return (
    <Frame p={p}>
      <div className="row" style={{ flexWrap: 'wrap' }}>
        <button type="button" disabled={p.pending} onClick={() => p.run({ kind: 'allow-edge', source, target })}>
          Allow this edge
        </button>
        <button type="button" disabled={p.pending || allowedBy.length === 0} onClick={() => p.run({ kind: 'remove-path', source, target })}>
          Remove this allowed path
        </button>
      </div>
      {allowedBy.length > 0 ? (
        <div className="small">
          Allowed today by:
          <ul className="small mono">
            {allowedBy.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ul>
          Removing it narrows those rules (the matching peer is dropped).
        </div>
      ) : (
        <p className="hint">No observed connection on this edge is allowed under the policies in force, so there is no path to remove.</p>
      )}
    </Frame>
  );
}

/** The rules named in the engine's explanation lines ("… allowed by ns/policy ingress[0] from[1] …"). */
export function allowedByFrom(explanations: { allowed: boolean | null; lines: string[] }[]): string[] {
  const out = new Set<string>();
  for (const x of explanations) {
    if (!x.allowed) continue;
    for (const line of x.lines) {
      const m = /allowed by (.+)$/.exec(line);
      if (m) for (const part of m[1]!.split('; ')) out.add(part);
      else if (/not isolated/.test(line)) out.add(line.replace(/^\s+/, ''));
    }
  }
  return [...out];
}
