// Creates a console account with its first role grants and a one-time setup link.
import { eq, inArray } from 'drizzle-orm';
import { roleGrants, tenants, users } from '@/db/schema';
import type { Role } from '@/server/domain/authz/permissions';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { conflict, notFound } from '../errors';
import { inScope } from '../scope';
import { createSetupToken } from './issue-setup-link';

export interface CreateUserArgs {
  email: string;
  displayName: string;
  grants: { role: Role; tenantId: string | null }[];
  isDemo?: boolean;
}

export async function createUser(ctx: ServiceContext, input: CreateUserArgs) {
  authorize(ctx, 'user:manage');
  if (input.grants.length > 0) authorize(ctx, 'grant:manage');
  const email = input.email.trim().toLowerCase();
  return inScope(ctx, async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (existing) throw conflict(`A user with email ${email} already exists`, 'email');
    const tenantIds = [...new Set(input.grants.flatMap((g) => (g.tenantId ? [g.tenantId] : [])))];
    if (tenantIds.length > 0) {
      const found = await tx.select({ id: tenants.id }).from(tenants).where(inArray(tenants.id, tenantIds));
      if (found.length !== tenantIds.length) throw notFound('Tenant');
    }
    const [user] = await tx.insert(users).values({ email, displayName: input.displayName.trim(), isDemo: input.isDemo ?? false }).returning();
    if (input.grants.length > 0) {
      await tx.insert(roleGrants).values(input.grants.map((g) => ({ userId: user!.id, role: g.role, tenantId: g.tenantId, createdBy: actingUserId(ctx) })));
    }
    const link = await createSetupToken(tx, ctx, user!.id);
    await appendAuditEvent(tx, ctx, {
      action: 'user.created',
      outcome: 'success',
      resourceType: 'user',
      resourceId: user!.id,
      details: { email, grants: input.grants, demo: input.isDemo ?? false },
    });
    return { user: { id: user!.id, email: user!.email, displayName: user!.displayName }, ...link };
  });
}

export function actingUserId(ctx: ServiceContext): string | null {
  return ctx.principal.kind === 'user' ? ctx.principal.userId : null;
}
