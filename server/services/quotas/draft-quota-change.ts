// "Propose a quota change": a draft change request holding the ResourceQuota as the cluster
// has it now (spec only, as a person would write it), to edit, preview and have approved
// like any other change. Changing a quota never bypasses the change workflow.
import { and, eq } from 'drizzle-orm';
import { stringify } from 'yaml';
import { z } from 'zod';
import { clusters, inventoryObjects, tenantNamespaces } from '@/db/schema';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';
import { saveDraft } from '../changes/save-draft';
import { inScope } from '../scope';

export const DraftQuotaChangeInput = z.object({
  tenantId: z.uuid(),
  /** The cluster's name, as the overview shows it. */
  cluster: z.string().min(1).max(100),
  namespace: z.string().min(1).max(63),
  quota: z.string().min(1).max(253),
});
export type DraftQuotaChangeInput = z.infer<typeof DraftQuotaChangeInput>;

export async function draftQuotaChange(ctx: ServiceContext, raw: DraftQuotaChangeInput): Promise<{ changeId: string }> {
  const input = DraftQuotaChangeInput.parse(raw);
  authorize(ctx, 'tenant:manage', { id: input.tenantId, label: 'Tenant' });
  const { object, clusterId } = await inScope(ctx, async (tx) => {
    const [cluster] = await tx.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, input.cluster));
    if (!cluster) throw notFound('ResourceQuota');
    const clusterId = cluster.id;
    // The namespace must be this tenant's: a quota elsewhere "does not exist" for this request.
    const [owned] = await tx
      .select({ namespace: tenantNamespaces.namespace })
      .from(tenantNamespaces)
      .where(and(eq(tenantNamespaces.tenantId, input.tenantId), eq(tenantNamespaces.clusterId, clusterId), eq(tenantNamespaces.namespace, input.namespace)));
    if (!owned) throw notFound('ResourceQuota');
    const [row] = await tx
      .select({ object: inventoryObjects.object })
      .from(inventoryObjects)
      .where(and(eq(inventoryObjects.clusterId, clusterId), eq(inventoryObjects.kind, 'ResourceQuota'), eq(inventoryObjects.namespace, input.namespace), eq(inventoryObjects.name, input.quota)));
    if (!row) throw notFound('ResourceQuota');
    return { clusterId, object: row.object as { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> } };
  });
  const manifest = {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: input.quota, namespace: input.namespace, ...(object.metadata?.labels ? { labels: object.metadata.labels } : {}) },
    spec: object.spec ?? { hard: {} },
  };
  const sourceText = `# The quota as the cluster holds it now: change spec.hard, then submit for approval.\n${stringify(manifest)}`;
  const saved = await saveDraft(ctx, {
    tenantId: input.tenantId,
    clusterId,
    title: `Change quota ${input.namespace}/${input.quota}`,
    description: `Proposed from the quota dashboard.`,
    sourceText,
    deletes: [],
    origin: { action: 'quota.change_proposed' },
  });
  return { changeId: saved.id };
}
