'use client';
// Activity-based sleep per tenant: opt in, the idle window, the CPU threshold and the
// exemption label. Shown for the tenants the caller may sleep workloads in.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText, Loading } from '@/components/ui/status';

export function SleepPolicies({ tenants, sleepScope }: { tenants: { id: string; name: string }[]; sleepScope: { global: boolean; tenantIds: string[] } }) {
  const mine = tenants.filter((t) => sleepScope.global || sleepScope.tenantIds.includes(t.id));
  if (mine.length === 0) return null;
  return (
    <section className="card" aria-labelledby="sleep-policy-heading">
      <h2 id="sleep-policy-heading">Activity-based sleep</h2>
      <p className="muted small">
        Opt-in per tenant. A Deployment or StatefulSet with no inbound connections and CPU below the threshold for the whole idle window is scaled to zero; a tenant admin wakes it above.
        Workloads that served any traffic in the window, system namespaces and workloads labelled with the exemption label are never put to sleep.
      </p>
      {mine.map((t) => (
        <Policy key={t.id} tenant={t} />
      ))}
    </section>
  );
}

function Policy({ tenant }: { tenant: { id: string; name: string } }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const settings = useQuery(trpc.abuse.settings.queryOptions({ tenantId: tenant.id }));
  const save = useMutation(trpc.abuse.setSleepPolicy.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: trpc.abuse.settings.queryKey({ tenantId: tenant.id }) }) }));
  const [form, setForm] = useState<{ enabled: boolean; idleMinutes: number; cpuBelowMillicores: number; exemptLabel: string } | null>(null);
  useEffect(() => {
    if (settings.data && !form) setForm(settings.data.settings.sleep);
  }, [settings.data, form]);
  if (settings.isPending || !form) return <Loading what={`${tenant.name}'s sleep policy`} />;
  if (settings.error) return <ErrorText error={settings.error} />;
  const id = `sleep-${tenant.id}`;
  return (
    <form
      className="inline-form"
      aria-label={`Activity-based sleep for ${tenant.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ tenantId: tenant.id, sleep: form });
      }}
      style={{ marginBottom: 12 }}
    >
      <strong style={{ minWidth: 140 }}>{tenant.name}</strong>
      <label htmlFor={`${id}-on`} className="row">
        <input id={`${id}-on`} type="checkbox" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} /> Enabled
      </label>
      <label>
        Idle minutes
        <input type="number" min={1} max={10080} value={form.idleMinutes} onChange={(e) => setForm({ ...form, idleMinutes: Number(e.target.value) })} />
      </label>
      <label>
        CPU below (millicores)
        <input type="number" min={0} value={form.cpuBelowMillicores} onChange={(e) => setForm({ ...form, cpuBelowMillicores: Number(e.target.value) })} />
      </label>
      <label>
        Exemption label
        <input value={form.exemptLabel} onChange={(e) => setForm({ ...form, exemptLabel: e.target.value })} />
      </label>
      <button type="submit" disabled={save.isPending}>
        Save
      </button>
      {save.isSuccess && !save.isPending && <span className="muted small" role="status">Saved.</span>}
      <ErrorText error={save.error} />
    </form>
  );
}
