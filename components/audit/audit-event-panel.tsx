'use client';
// One audit event: who, what, where, from which address and client, the outcome, the
// Kubernetes fields when it came from a cluster, its place in the chain, the raw event, and
// one click to the rest of its story (a change's whole story when it belongs to one).
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText, Loading } from '@/components/ui/status';
import { timeInZone } from '@/server/domain/audit/audit-filters';
import styles from './audit.module.css';

export function AuditEventPanel({ seq, tz, onClose, onOpen }: { seq: number; tz: string; onClose: () => void; onOpen: (seq: number) => void }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.audit.event.queryOptions({ seq }));
  const [showStory, setShowStory] = useState(false);
  const story = useQuery({ ...trpc.audit.story.queryOptions({ seq }), enabled: showStory });
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    setShowStory(false);
    heading.current?.focus();
  }, [seq]);

  return (
    <aside className={styles.panel} aria-labelledby="event-heading" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <h2 id="event-heading" tabIndex={-1} ref={heading}>
        Event {seq}
      </h2>
      <button type="button" onClick={onClose}>Close</button>
      {q.isPending ? (
        <Loading what="the event" />
      ) : q.error ? (
        <ErrorText error={q.error} />
      ) : (
        (() => {
          const { event: e, chain, names } = q.data;
          const d = e.details as Record<string, any>;
          return (
            <>
              <dl className="kv">
                <dt>When</dt>
                <dd>{e.occurredAt.toISOString()} ({timeInZone(e.occurredAt, tz)} {tz})</dd>
                <dt>Who</dt>
                <dd>{e.actorLabel ?? e.actorType} <span className="muted small">({e.actorType}{e.actorId ? ` ${e.actorId}` : ''})</span></dd>
                <dt>What</dt>
                <dd><code>{e.action}</code> <span className={`badge ${e.outcome}`}>{e.outcome}</span></dd>
                <dt>Resource</dt>
                <dd>{e.resourceType ? `${e.resourceType} ${e.resourceId ?? ''}` : '—'}</dd>
                <dt>Where</dt>
                <dd>{[e.tenantId ? `tenant ${names.tenants[e.tenantId] ?? e.tenantId}` : 'no tenant', e.clusterId ? `cluster ${names.clusters[e.clusterId] ?? e.clusterId}` : null, `source ${e.source}`].filter(Boolean).join(' · ')}</dd>
                <dt>From</dt>
                <dd>{e.clientAddress ?? '—'} {e.userAgent ? <span className="muted small">({e.userAgent})</span> : null}</dd>
              </dl>
              {e.source === 'kubernetes' && (
                <>
                  <h3>Kubernetes request</h3>
                  <dl className="kv">
                    <dt>User</dt>
                    <dd>{d.user?.username ?? e.actorLabel}{d.user?.groups?.length ? <span className="muted small"> (groups {d.user.groups.join(', ')})</span> : null}</dd>
                    <dt>Impersonated</dt>
                    <dd>{d.impersonatedUser?.username ?? '—'}</dd>
                    <dt>Verb and resource</dt>
                    <dd><code>{e.action.replace(/^k8s\./, '')}</code> {e.resourceType} {e.resourceId}</dd>
                    <dt>Response</dt>
                    <dd>{d.responseStatus?.code ?? '—'} {d.responseStatus?.reason ?? ''}</dd>
                    <dt>Source IPs</dt>
                    <dd>{(d.sourceIPs ?? []).join(', ') || '—'}</dd>
                    <dt>User agent</dt>
                    <dd>{e.userAgent ?? '—'}</dd>
                    <dt>Decision</dt>
                    <dd>{d.decision ?? '—'}{d.reason ? ` — ${d.reason}` : ''}</dd>
                    <dt>Audit-Id</dt>
                    <dd><code>{d.auditID ?? '—'}</code></dd>
                  </dl>
                </>
              )}
              <h3>Place in the chain</h3>
              <p className={chain.verified ? 'notice' : 'banner error'} role="status">
                {chain.verified ? 'Verified: ' : 'NOT verified: '}
                hash {chain.hashMatches ? 'recomputes' : 'does not recompute'}; link to event {e.seq - 1} {chain.link === 'ok' ? 'holds' : chain.link === 'broken' ? 'is broken' : 'cannot be checked'};{' '}
                {chain.checkpoint ? `pinned by the checkpoint of event ${chain.checkpoint.seq} signed ${chain.checkpoint.signedAt.toISOString()} (${chain.checkpoint.signatureValid ? 'signature valid' : 'signature INVALID'})` : 'no signed checkpoint covers it yet'}.
              </p>
              <dl className="kv mono small">
                <dt>seq</dt>
                <dd>{e.seq}</dd>
                <dt>hash</dt>
                <dd className="break">{e.hash}</dd>
                <dt>previous</dt>
                <dd className="break">{e.prevHash}</dd>
              </dl>
              <button type="button" onClick={() => setShowStory(true)} disabled={showStory}>Show the rest of its story</button>
              {showStory &&
                (story.isPending ? (
                  <Loading what="the story" />
                ) : story.error ? (
                  <ErrorText error={story.error} />
                ) : (
                  <section aria-label="Story">
                    <h3>{story.data.kind === 'change' ? `Change ${story.data.subject}` : story.data.kind === 'request' ? `Kubernetes request ${story.data.subject}` : story.data.kind === 'resource' ? `Resource ${story.data.subject}` : 'This event alone'}</h3>
                    <ol className="story">
                      {story.data.events.map((s) => (
                        <li key={s.seq}>
                          <button type="button" className="link" onClick={() => onOpen(s.seq)} aria-current={s.seq === e.seq ? 'true' : undefined}>
                            {s.occurredAt.toISOString().replace('T', ' ').slice(0, 19)} <code>{s.action}</code>
                          </button>{' '}
                          <span className={`badge ${s.outcome}`}>{s.outcome}</span> <span className="muted small">{s.actorLabel ?? s.actorType}</span>
                        </li>
                      ))}
                    </ol>
                    {story.data.truncated && <p className="small muted">Only the first 500 events are shown.</p>}
                  </section>
                ))}
              <details>
                <summary>Raw event</summary>
                <pre className="raw">{JSON.stringify({ ...e, occurredAt: e.occurredAt.toISOString() }, null, 2)}</pre>
              </details>
            </>
          );
        })()
      )}
    </aside>
  );
}
