// Granting and revoking roles. Nobody changes their own grants: raising oneself (say, to
// approver of one's own changes) always takes a second person.
import { and, eq } from 'drizzle-orm';
import { roleGrants, tenants, users } from '@/db/schema';
import type { Role } from '@/server/domain/authz/permissions';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { conflict, forbidden, notFound } from '../errors';
import { inScope } from '../scope';
import { actingUserId } from './create-user';

export async function grantRole(ctx: ServiceContext, input: { userId: string; role: Role; tenantId: string | null }) {
  authorize(ctx, 'grant:manage');
  if (actingUserId(ctx) === input.userId) throw forbidden('You cannot change your own role grants');
  return inScope(ctx, async (tx) => {
    const [user] = await tx.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, input.userId));
    if (!user) throw notFound('User');
    if (input.tenantId) {
      const [tenant] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, input.tenantId));
      if (!tenant) throw notFound('Tenant');
    }
    const inserted = await tx
      .insert(roleGrants)
      .values({ userId: input.userId, role: input.role, tenantId: input.tenantId, createdBy: actingUserId(ctx) })
      .onConflictDoNothing()
      .returning({ id: roleGrants.id });
    if (inserted.length === 0) throw conflict(`${user.email} already holds ${input.role} there`);
    await appendAuditEvent(tx, ctx, {
      action: 'grant.created',
      outcome: 'success',
      tenantId: input.tenantId,
      resourceType: 'role_grant',
      resourceId: inserted[0]!.id,
      details: { userId: user.id, email: user.email, role: input.role, scope: input.tenantId ? 'tenant' : 'global' },
    });
    return { id: inserted[0]!.id };
  });
}

export async function revokeGrant(ctx: ServiceContext, input: { grantId: string }) {
  authorize(ctx, 'grant:manage');
  return inScope(ctx, async (tx) => {
    const [grant] = await tx.select().from(roleGrants).where(eq(roleGrants.id, input.grantId));
    if (!grant) throw notFound('Grant');
    if (actingUserId(ctx) === grant.userId) throw forbidden('You cannot change your own role grants');
    await tx.delete(roleGrants).where(and(eq(roleGrants.id, grant.id)));
    await appendAuditEvent(tx, ctx, {
      action: 'grant.revoked',
      outcome: 'success',
      tenantId: grant.tenantId,
      resourceType: 'role_grant',
      resourceId: grant.id,
      details: { userId: grant.userId, role: grant.role, scope: grant.tenantId ? 'tenant' : 'global' },
    });
  });
}
