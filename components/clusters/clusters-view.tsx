'use client';
// Clusters and their agents: who is connected, silent or revoked; registering a cluster
// shows its one-time enrollment token and the command that uses it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';

function ago(d: Date | null): string {
  if (!d) return 'never';
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function ClustersView({ canEnroll }: { canEnroll: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const clusters = useQuery(trpc.clusters.list.queryOptions(undefined, { refetchInterval: 10_000 }));
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.clusters.list.queryKey() });
  const [name, setName] = useState('');
  const register = useMutation(trpc.clusters.register.mutationOptions({ onSuccess: invalidate }));
  const reissue = useMutation(trpc.clusters.issueEnrollmentToken.mutationOptions());
  const revoke = useMutation(trpc.clusters.revokeAgent.mutationOptions({ onSuccess: invalidate }));
  const token = register.data ?? reissue.data;

  return (
    <>
      {canEnroll && (
        <section className="card" aria-labelledby="register">
          <h2 id="register">Register a cluster</h2>
          <form
            className="inline-form"
            aria-label="Register cluster"
            onSubmit={(e) => {
              e.preventDefault();
              register.mutate({ name });
            }}
          >
            <label>
              Cluster name
              <input required value={name} onChange={(e) => setName(e.target.value)} placeholder="prod-eu-1" />
            </label>
            <button type="submit" className="primary" disabled={register.isPending}>
              Register and get enrollment token
            </button>
          </form>
          <ErrorText error={register.error ?? reissue.error} />
          {token && (
            <div className="notice stack" role="status">
              <p>
                Enrollment token for <strong>{token.cluster.name}</strong>, valid once until {token.expiresAt.toISOString().slice(11, 16)} UTC. It is shown only now. On the cluster, run:
              </p>
              <input readOnly className="mono" aria-label="Agent command" value={`verity agent --console ${window.location.origin} --enroll ${token.token} --state-dir /var/lib/verity-agent`} onFocus={(e) => e.target.select()} data-testid="enroll-command" />
            </div>
          )}
        </section>
      )}
      {clusters.isPending ? (
        <Loading what="clusters" />
      ) : clusters.error ? (
        <ErrorText error={clusters.error} />
      ) : clusters.data.length === 0 ? (
        <Empty>No cluster is registered yet{canEnroll ? ': register one above and start its agent.' : '.'}</Empty>
      ) : (
        clusters.data.map((c) => (
          <section key={c.id} className="card" aria-label={`Cluster ${c.name}`}>
            <h2>{c.name}</h2>
            {c.agents.length === 0 ? (
              <Empty>No agent connected yet. {canEnroll && <button type="button" className="link" onClick={() => reissue.mutate({ clusterId: c.id })}>Issue an enrollment token</button>}</Empty>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col">State</th>
                    <th scope="col">Last seen</th>
                    <th scope="col">Version</th>
                    <th scope="col">Driver</th>
                    <th scope="col">Uplink queue</th>
                    {canEnroll && <th scope="col"><span className="sr-only">Actions</span></th>}
                  </tr>
                </thead>
                <tbody>
                  {c.agents.map((a) => (
                    <tr key={a.id}>
                      <td className="mono small">
                        {a.id.slice(0, 8)} {a.hostname && <span className="muted">on {a.hostname}</span>}
                      </td>
                      <td>
                        <span className={`badge ${a.state === 'connected' ? 'success' : a.state === 'revoked' ? 'failure' : 'denied'}`}>{a.state}</span>
                      </td>
                      <td>{ago(a.lastSeenAt)}</td>
                      <td>{a.agentVersion}</td>
                      <td>{a.driver}</td>
                      <td className="small">
                        {a.queuePending} waiting{a.queueDropped > 0 && <span className="error"> · {a.queueDropped} dropped</span>}
                      </td>
                      {canEnroll && (
                        <td>
                          {!a.revokedAt && (
                            <button type="button" className="danger" onClick={() => confirm(`Revoke agent ${a.id.slice(0, 8)}? It will be refused from now on.`) && revoke.mutate({ agentId: a.id })}>
                              Revoke
                            </button>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        ))
      )}
    </>
  );
}
