'use client';
// Creates a tenant with its namespaces on one cluster.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText } from '@/components/ui/status';

export function CreateTenantForm() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [cluster, setCluster] = useState('');
  const [namespaces, setNamespaces] = useState('');
  const create = useMutation(
    trpc.tenants.create.mutationOptions({
      onSuccess: async () => {
        setName('');
        setSlug('');
        setNamespaces('');
        await qc.invalidateQueries({ queryKey: trpc.tenants.list.queryKey() });
        router.refresh();
      },
    }),
  );
  const nsList = namespaces.split(/[\s,]+/).filter(Boolean);
  return (
    <form
      className="grid-form"
      aria-label="Create tenant"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name, slug, cluster: cluster || undefined, namespaces: nsList });
      }}
    >
      <label>
        Name
        <input required value={name} onChange={(e) => { setName(e.target.value); if (!slug || slug === slugify(name)) setSlug(slugify(e.target.value)); }} />
      </label>
      <label>
        Slug
        <input required value={slug} onChange={(e) => setSlug(e.target.value)} pattern="[a-z0-9]([-a-z0-9]*[a-z0-9])?" title="lower-case letters, digits and -" />
      </label>
      <label>
        Cluster
        <input value={cluster} onChange={(e) => setCluster(e.target.value)} placeholder="prod-eu-1" />
      </label>
      <label>
        Namespaces
        <input value={namespaces} onChange={(e) => setNamespaces(e.target.value)} placeholder="payments, payments-db" />
      </label>
      <div className="full">
        <ErrorText error={create.error} />
        <button type="submit" className="primary" disabled={create.isPending}>
          Create tenant
        </button>
      </div>
    </form>
  );
}

function slugify(s: string) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
}
