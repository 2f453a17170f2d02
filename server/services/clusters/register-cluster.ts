// Registering a cluster hands out a one-time enrollment token for its agent: shown once,
// stored only as a hash, good for one hour.
import { eq } from 'drizzle-orm';
import { clusters, enrollmentTokens } from '@/db/schema';
import { hashToken, newToken } from '@/server/security/tokens';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';
import { inScope } from '../scope';

export const ENROLLMENT_TOKEN_MINUTES = 60;

export async function registerCluster(ctx: ServiceContext, input: { name: string }) {
  authorize(ctx, 'cluster:enroll');
  return inScope(ctx, async (tx) => {
    await tx.insert(clusters).values({ name: input.name }).onConflictDoNothing();
    const [cluster] = await tx.select().from(clusters).where(eq(clusters.name, input.name));
    const token = await newEnrollmentToken(tx, ctx, cluster!.id);
    await appendAuditEvent(tx, ctx, { action: 'cluster.enrollment_token_issued', outcome: 'success', clusterId: cluster!.id, resourceType: 'cluster', resourceId: cluster!.id, details: { name: cluster!.name, expiresAt: token.expiresAt.toISOString() } });
    return { cluster: { id: cluster!.id, name: cluster!.name }, ...token };
  });
}

export async function issueEnrollmentToken(ctx: ServiceContext, input: { clusterId: string }) {
  authorize(ctx, 'cluster:enroll');
  return inScope(ctx, async (tx) => {
    const [cluster] = await tx.select().from(clusters).where(eq(clusters.id, input.clusterId));
    if (!cluster) throw notFound('Cluster');
    const token = await newEnrollmentToken(tx, ctx, cluster.id);
    await appendAuditEvent(tx, ctx, { action: 'cluster.enrollment_token_issued', outcome: 'success', clusterId: cluster.id, resourceType: 'cluster', resourceId: cluster.id, details: { name: cluster.name, expiresAt: token.expiresAt.toISOString() } });
    return { cluster: { id: cluster.id, name: cluster.name }, ...token };
  });
}

async function newEnrollmentToken(tx: Parameters<Parameters<typeof inScope>[1]>[0], ctx: ServiceContext, clusterId: string) {
  const token = newToken();
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + ENROLLMENT_TOKEN_MINUTES * 60_000);
  await tx.insert(enrollmentTokens).values({ clusterId, tokenHash: hashToken(token), expiresAt, createdAt: now, createdBy: ctx.principal.kind === 'user' ? ctx.principal.userId : null });
  return { token, expiresAt };
}
