// Tenants: list and read (scoped to the caller's tenants), create and assign namespaces (admins).
import { z } from 'zod';
import { createTenant, setTenantNamespaces } from '@/server/services/tenants/create-tenant';
import { getTenantBySlug, listTenants } from '@/server/services/tenants/read-tenants';
import { procedure, router } from '../init';

// DNS-1123 labels, as Kubernetes requires of namespace names.
const Dns1123Label = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label (lower-case letters, digits, -)').max(63);
export const TenantSlug = Dns1123Label;
export const ClusterName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be lower-case letters, digits, - and .').max(253);

export const CreateTenantInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    slug: TenantSlug,
    cluster: ClusterName.optional(),
    namespaces: z.array(Dns1123Label).max(500).default([]),
  })
  .refine((v) => v.namespaces.length === 0 || v.cluster, { message: 'a cluster is required when namespaces are given', path: ['cluster'] });

export const SetTenantNamespacesInput = z.object({ tenantId: z.uuid(), cluster: ClusterName, namespaces: z.array(Dns1123Label).max(500) });

export const tenantsRouter = router({
  list: procedure.meta({ permission: 'tenant:read' }).query(({ ctx }) => listTenants(ctx.svc)),
  get: procedure
    .meta({ permission: 'tenant:read' })
    .input(z.object({ slug: TenantSlug }))
    .query(({ ctx, input }) => getTenantBySlug(ctx.svc, input)),
  create: procedure
    .meta({ permission: 'tenant:manage' })
    .input(CreateTenantInput)
    .mutation(({ ctx, input }) => createTenant(ctx.svc, input)),
  setNamespaces: procedure
    .meta({ permission: 'tenant:manage' })
    .input(SetTenantNamespacesInput)
    .mutation(({ ctx, input }) => setTenantNamespaces(ctx.svc, input)),
});
