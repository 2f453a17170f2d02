// Console users with their grants and security posture (MFA, setup pending), for admins and auditors.
import { asc } from 'drizzle-orm';
import { roleGrants, tenants, users } from '@/db/schema';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';

export async function listUsers(ctx: ServiceContext) {
  authorize(ctx, 'user:read');
  return inScope(ctx, async (tx) => {
    const rows = await tx.select().from(users).orderBy(asc(users.email));
    const grants = await tx.select().from(roleGrants);
    const tenantRows = await tx.select({ id: tenants.id, name: tenants.name, slug: tenants.slug }).from(tenants);
    const tenantById = new Map(tenantRows.map((t) => [t.id, t]));
    return rows.map((u) => ({
      id: u.id,
      email: u.email,
      displayName: u.displayName,
      isDemo: u.isDemo,
      mfaEnabled: u.totpEnabledAt !== null,
      setupPending: u.passwordHash === null,
      disabled: u.disabledAt !== null,
      createdAt: u.createdAt,
      grants: grants
        .filter((g) => g.userId === u.id)
        .map((g) => ({ id: g.id, role: g.role, tenantId: g.tenantId, tenant: g.tenantId ? (tenantById.get(g.tenantId) ?? null) : null })),
    }));
  });
}
