'use client';
// The side panel: a node's labels, service account, policies, effective mTLS per port, edges
// and STRICT readiness; an edge's ports, counts over time, plaintext by source and port, and
// the netpol engine's explanation of its verdict.
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText, Loading } from '@/components/ui/status';
import { allowedByFrom, EdgeActions, NodeActions } from '@/components/policy/graph-actions';
import type { GraphUrlState } from './url-state';

const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.01 ? 2 : 0)}%`;
const MTLS_WORD: Record<string, string> = { mutual: 'mutual TLS', plaintext: 'plaintext', mixed: 'mixed (some plaintext)', unknown: 'unknown (no handshake seen)' };

type Select = (kind: 'node' | 'edge', id: string) => void;

interface EdgeRow {
  source: string;
  sourceLabel: string;
  target: string;
  targetLabel: string;
  ports: string[];
  counts: { total: number };
  mtls: string;
  verdict: string;
  plaintextOnStrict: boolean;
}

function EdgeTable({ rows, select, caption }: { rows: EdgeRow[]; select: Select; caption: string }) {
  if (rows.length === 0) return <p className="muted small">{caption}: none in this range.</p>;
  return (
    <table className="small">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{caption}</th>
          <th scope="col">ports</th>
          <th scope="col">mTLS</th>
          <th scope="col">verdict</th>
          <th scope="col">count</th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, 50).map((r) => (
          <tr key={`${r.source}>${r.target}`}>
            <td>
              <button type="button" className="link" onClick={() => select('edge', `${r.source}|${r.target}`)}>
                {r.sourceLabel} → {r.targetLabel}
              </button>
            </td>
            <td className="mono">{r.ports.join(', ')}</td>
            <td>{MTLS_WORD[r.mtls]}{r.plaintextOnStrict ? ' ⚠ on STRICT' : ''}</td>
            <td>{r.verdict}</td>
            <td>{r.counts.total.toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Readiness({ r, what }: { r: { ready: boolean; breaking: { sourceLabel: string; targetLabel: string; port: number; protocol: string; plaintext: number; currentMode: string }[]; alreadyRejected: { sourceLabel: string; targetLabel: string; port: number; plaintext: number }[] }; what: string }) {
  return (
    <section aria-label="STRICT readiness">
      <h3>STRICT readiness</h3>
      {r.ready ? (
        <p className="ok-text">✓ Ready: no plaintext traffic into {what} in this range would be rejected by STRICT.</p>
      ) : (
        <>
          <p className="warn-text">⚠ Switching {what} to STRICT would break {r.breaking.length} plaintext connection{r.breaking.length === 1 ? '' : 's'}:</p>
          <ul className="small">
            {r.breaking.map((b) => (
              <li key={`${b.sourceLabel}>${b.targetLabel}:${b.port}`}>
                {b.sourceLabel} → {b.targetLabel} port {b.port}/{b.protocol}: {b.plaintext.toLocaleString()} plaintext (now {b.currentMode})
              </li>
            ))}
          </ul>
        </>
      )}
      {r.alreadyRejected.length > 0 && (
        <p className="small muted">
          Already rejected by STRICT: {r.alreadyRejected.map((b) => `${b.sourceLabel} → ${b.targetLabel}:${b.port} (${b.plaintext})`).join('; ')}
        </p>
      )}
    </section>
  );
}

export function SidePanel({ clusterId, state, select, close }: { clusterId: string; state: GraphUrlState; select: Select; close: () => void }) {
  const sel = state.sel!;
  const range = { range: state.range, ...(state.range === 'custom' && state.from ? { from: new Date(state.from) } : {}), ...(state.range === 'custom' && state.to ? { to: new Date(state.to) } : {}) };
  return (
    <aside className="graph-panel" aria-label="Details">
      <div className="row">
        <h2 style={{ flex: 1, margin: 0 }}>Details</h2>
        <button type="button" onClick={close} aria-label="Close details">
          Close
        </button>
      </div>
      {sel.startsWith('node:') ? <NodePanel clusterId={clusterId} id={sel.slice(5)} range={range} select={select} /> : <EdgePanel clusterId={clusterId} id={sel.slice(5)} range={range} select={select} />}
    </aside>
  );
}

type RangeIn = { range: GraphUrlState['range']; from?: Date; to?: Date };

function NodePanel({ clusterId, id, range, select }: { clusterId: string; id: string; range: RangeIn; select: Select }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.graph.node.queryOptions({ clusterId, id, ...range }, { refetchInterval: 30_000 }));
  if (q.isPending) return <Loading what="node details" />;
  if (q.error) return <ErrorText error={q.error} />;
  const n = q.data;
  return (
    <div className="stack">
      <h3 className="mono">{n.label}</h3>
      {n.kind === 'workload' && (
        <>
          <dl className="facts">
            <dt>Kind</dt>
            <dd>{n.ownerKind ?? 'not in inventory'}{n.replicas !== null ? `, ${n.readyReplicas ?? '?'} of ${n.replicas} ready` : ''}</dd>
            <dt>Service account</dt>
            <dd className="mono">{n.serviceAccount ?? '—'}</dd>
            <dt>Labels</dt>
            <dd>
              <ul className="chips">
                {Object.entries(n.labels).map(([k, v]) => (
                  <li key={k} className="chip mono">{k}={v}</li>
                ))}
              </ul>
            </dd>
          </dl>
          <section aria-label="Effective mTLS">
            <h3>Effective mTLS (PeerAuthentication)</h3>
            <p className="small">Workload: <strong>{n.mtlsByPort.workload}</strong></p>
            <ul className="small">
              {n.mtlsByPort.ports.map((p) => (
                <li key={`${p.port}/${p.protocol}`}>port {p.port}/{p.protocol}{p.name ? ` (${p.name})` : ''}: <strong>{p.mode}</strong></li>
              ))}
            </ul>
          </section>
        </>
      )}
      {(n.kind === 'workload' || n.kind === 'namespace') && (
        <section aria-label="Network policies">
          <h3>{n.kind === 'workload' ? 'Network policies selecting it' : 'Network policies in this namespace'}</h3>
          {n.policies.length === 0 ? (
            <p className="small muted">None: {n.kind === 'workload' ? 'not isolated in either direction.' : 'every pod accepts and sends anything.'}</p>
          ) : (
            <ul className="small">
              {n.policies.map((p) => (
                <li key={p.name} id={`policy-${p.namespace}-${p.name}`}>
                  <details>
                    <summary>
                      <a href={`#policy-${p.namespace}-${p.name}`} className="mono">{p.namespace}/{p.name}</a> ({[p.ingress && 'Ingress', p.egress && 'Egress'].filter(Boolean).join(', ')})
                    </summary>
                    <pre className="mono small">{p.spec}</pre>
                  </details>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {n.kind === 'namespace' && <p className="small">Namespace-wide mTLS mode: <strong>{n.namespaceMtls}</strong>{n.tenant ? `, tenant ${n.tenant}` : ''}</p>}
      {(n.kind === 'workload' || n.kind === 'namespace') && <Readiness r={n.readiness} what={n.kind === 'workload' ? 'this workload' : 'this namespace'} />}
      {(n.kind === 'workload' || n.kind === 'namespace') && <NodeActions clusterId={clusterId} kind={n.kind} id={n.id} namespace={n.namespace} />}
      {n.kind === 'other-tenant' && <p className="small">Traffic with namespaces outside your tenants. Their names and details are not shown to you.</p>}
      <h3>Inbound ({n.inboundCount})</h3>
      <EdgeTable rows={n.inbound} select={select} caption="Inbound" />
      <h3>Outbound ({n.outboundCount})</h3>
      <EdgeTable rows={n.outbound} select={select} caption="Outbound" />
    </div>
  );
}

function Sparkline({ points }: { points: { t: Date; total: number; plaintext: number; denied: number }[] }) {
  if (points.length === 0) return null;
  const max = Math.max(...points.map((p) => p.total), 1);
  const w = 300;
  const h = 60;
  const step = w / Math.max(points.length, 1);
  return (
    <svg width={w} height={h} role="img" aria-label={`Connections over time, peak ${max.toLocaleString()} per bucket`} className="spark">
      {points.map((p, i) => (
        <g key={p.t.getTime()}>
          <rect x={i * step} y={h - (p.total / max) * h} width={Math.max(1, step - 1)} height={(p.total / max) * h} className="spark-total" />
          <rect x={i * step} y={h - (p.plaintext / max) * h} width={Math.max(1, step - 1)} height={(p.plaintext / max) * h} className="spark-plain" />
        </g>
      ))}
    </svg>
  );
}

function EdgePanel({ clusterId, id, range, select }: { clusterId: string; id: string; range: RangeIn; select: Select }) {
  const trpc = useTRPC();
  const [source, target] = id.split('|') as [string, string];
  const q = useQuery(trpc.graph.edge.queryOptions({ clusterId, source, target, ...range }, { refetchInterval: 30_000 }));
  if (q.isPending) return <Loading what="edge details" />;
  if (q.error) return <ErrorText error={q.error} />;
  const e = q.data;
  return (
    <div className="stack">
      <h3>
        <button type="button" className="link mono" onClick={() => select('node', source)}>{source.replace(/^\w+:/, '')}</button> →{' '}
        <button type="button" className="link mono" onClick={() => select('node', target)}>{target.replace(/^\w+:/, '')}</button>
      </h3>
      <p data-testid="edge-summary">
        <strong>{MTLS_WORD[e.mtls]}</strong>, verdict <strong>{e.verdict}</strong>: {e.counts.total.toLocaleString()} connections ({e.perSecond.toFixed(2)}/s), {e.counts.allowed.toLocaleString()} allowed, {e.counts.denied.toLocaleString()} denied, {e.counts.dropped.toLocaleString()} dropped.
      </p>
      <section aria-label="Counts over time">
        <h3>Over time</h3>
        <Sparkline points={e.timeline.points} />
        <p className="small muted">One bar per {barWidth(e.timeline.bucketSeconds)}; the lower, darker part is plaintext.</p>
      </section>
      <section aria-label="Ports">
        <h3>Ports</h3>
        <table className="small">
          <thead>
            <tr><th scope="col">port</th><th scope="col">mTLS</th><th scope="col">verdict</th><th scope="col">mutual</th><th scope="col">plaintext</th><th scope="col">count</th></tr>
          </thead>
          <tbody>
            {e.ports.map((p) => (
              <tr key={`${p.port}/${p.protocol}`}><td className="mono">{p.port}/{p.protocol}</td><td>{MTLS_WORD[p.mtls]}</td><td>{p.verdict}</td><td>{p.mutual.toLocaleString()}</td><td>{p.plaintext.toLocaleString()}</td><td>{p.total.toLocaleString()}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
      {e.plaintextBySource.length > 0 && (
        <section aria-label="Plaintext by source">
          <h3>Who is still plaintext</h3>
          <ul className="small">
            {e.plaintextBySource.map((s) => (
              <li key={`${s.source}:${s.port}/${s.protocol}`}>
                {s.sourceLabel} on port {s.port}/{s.protocol}: <strong>{pct(s.share)}</strong> plaintext ({s.plaintext.toLocaleString()} of {(s.plaintext + s.mutual).toLocaleString()})
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-label="Verdict explanation">
        <h3>Why: the network policies in force</h3>
        {e.explanations.map((x) => (
          <pre key={`${x.source}>${x.target}:${x.port}/${x.protocol}`} className="mono small explain">{x.lines.join('\n')}</pre>
        ))}
      </section>
      <EdgeActions clusterId={clusterId} source={source} target={target} allowedBy={allowedByFrom(e.explanations)} />
      {e.memberCount > 1 && (
        <section aria-label="Workload edges">
          <h3>Workload edges ({e.memberCount})</h3>
          <EdgeTable rows={e.members} select={select} caption="Edge" />
        </section>
      )}
    </div>
  );
}

/** A timeline bar's width in words: "minute", "30 minutes", "3 hours", "day". */
function barWidth(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? 'day' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
}
