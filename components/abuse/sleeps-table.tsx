'use client';
// Workloads put to sleep (and those waking or failed): why and when they slept, what the
// agent kept to restore, and a Wake button with a reason for those who may wake them.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';
import { SLEEP_STATUS, TRIGGER, utc } from './labels';

export function SleepsTable({ tenantId }: { tenantId?: string }) {
  const trpc = useTRPC();
  const sleeps = useQuery(trpc.abuse.sleeps.queryOptions({ ...(tenantId ? { tenantId } : {}), current: true }, { refetchInterval: 5_000 }));
  if (sleeps.isPending) return <Loading what="sleeping workloads" />;
  if (sleeps.error) return <ErrorText error={sleeps.error} />;
  if (sleeps.data.sleeps.length === 0) return <Empty>No workload is asleep. Workloads are put to sleep from a finding, or by a tenant’s activity-based sleep.</Empty>;
  return (
    <table aria-label="Sleeping workloads">
      <thead>
        <tr>
          <th scope="col">Workload</th>
          <th scope="col">State</th>
          <th scope="col">Why it slept</th>
          <th scope="col">Since</th>
          <th scope="col">Kept to restore</th>
          <th scope="col">Wake</th>
        </tr>
      </thead>
      <tbody>
        {sleeps.data.sleeps.map((s) => (
          <tr key={s.id} data-testid={`sleep-${s.namespace}-${s.workload}`}>
            <td className="mono small">
              {s.kind} {s.namespace}/{s.workload}
              <div className="muted">
                {s.tenant} · {s.cluster}
              </div>
            </td>
            <td>
              <span className={`badge ${s.status === 'failed' ? 'failure' : s.status === 'asleep' ? 'warn' : ''}`}>{SLEEP_STATUS[s.status] ?? s.status}</span>
              {s.message && <div className="error small">{s.message}</div>}
            </td>
            <td className="small">
              {s.reason}
              <div className="muted">
                {TRIGGER[s.trigger]}
                {s.findingId && (
                  <>
                    {' '}
                    (<Link href={`/findings/${s.findingId}`}>the finding</Link>)
                  </>
                )}
              </div>
            </td>
            <td className="small nowrap">{utc(s.sleptAt)}</td>
            <td className="small mono">{s.original ? ('replicas' in s.original ? `replicas: ${String(s.original.replicas)}` : `suspend: ${String(s.original.suspend)}`) : ''}</td>
            <td>{s.mayWake && s.status === 'asleep' ? <WakeForm sleepId={s.id} label={`${s.namespace}/${s.workload}`} /> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WakeForm({ sleepId, label }: { sleepId: string; label: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const wake = useMutation(trpc.abuse.wake.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: trpc.abuse.sleeps.pathKey() }) }));
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        wake.mutate({ sleepId, reason });
      }}
    >
      <label>
        Reason
        <input value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} aria-label={`Reason to wake ${label}`} />
      </label>
      <button type="submit" disabled={wake.isPending}>
        Wake
      </button>
      <ErrorText error={wake.error} />
    </form>
  );
}
