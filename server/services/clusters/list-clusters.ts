// Clusters and their agents. A tenant-scoped caller sees the clusters that host their
// tenants' namespaces; global callers see all.
import { asc, eq, inArray } from 'drizzle-orm';
import { agents, clusters, tenantNamespaces } from '@/db/schema';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';
import { inScope } from '../scope';

export const AGENT_STALE_MS = 90_000;

export async function listClusters(ctx: ServiceContext) {
  authorize(ctx, 'cluster:read');
  return inScope(ctx, async (tx) => {
    let rows = await tx.select().from(clusters).orderBy(asc(clusters.name));
    if (ctx.principal.kind === 'user' && !ctx.principal.grants.some((g) => g.tenantId === null)) {
      // tenant_namespaces is itself under row-level security: only the caller's tenants' rows come back.
      const hosting = await tx.selectDistinct({ clusterId: tenantNamespaces.clusterId }).from(tenantNamespaces);
      const ids = new Set(hosting.map((h) => h.clusterId));
      rows = rows.filter((r) => ids.has(r.id));
    }
    const agentRows = rows.length ? await tx.select().from(agents).where(inArray(agents.clusterId, rows.map((r) => r.id))).orderBy(asc(agents.enrolledAt)) : [];
    const now = ctx.now().getTime();
    return rows.map((c) => ({
      id: c.id,
      name: c.name,
      createdAt: c.createdAt,
      agents: agentRows
        .filter((a) => a.clusterId === c.id)
        .map((a) => ({
          id: a.id,
          agentVersion: a.agentVersion,
          driver: a.driver,
          hostname: a.hostname,
          enrolledAt: a.enrolledAt,
          lastSeenAt: a.lastSeenAt,
          revokedAt: a.revokedAt,
          queuePending: a.queuePending,
          queueDropped: a.queueDropped,
          state: a.revokedAt ? ('revoked' as const) : a.lastSeenAt && now - a.lastSeenAt.getTime() < AGENT_STALE_MS ? ('connected' as const) : ('silent' as const),
        })),
    }));
  });
}

export async function revokeAgent(ctx: ServiceContext, input: { agentId: string }) {
  authorize(ctx, 'cluster:enroll');
  return inScope(ctx, async (tx) => {
    const [agent] = await tx.select().from(agents).where(eq(agents.id, input.agentId));
    if (!agent) throw notFound('Agent');
    if (!agent.revokedAt) await tx.update(agents).set({ revokedAt: ctx.now() }).where(eq(agents.id, agent.id));
    await appendAuditEvent(tx, ctx, { action: 'agent.revoked', outcome: 'success', clusterId: agent.clusterId, resourceType: 'agent', resourceId: agent.id });
  });
}
