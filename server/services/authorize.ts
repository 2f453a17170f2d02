// Authorization as the first statement of every service verb. Outside a tenant the caller
// holds the permission or not (403); inside a tenant the caller who cannot see it is told
// it does not exist (404), so probing tenant ids reveals nothing.
import { holdsPermission, holdsPermissionInTenant } from '@/server/domain/authz/decide';
import { PERMISSIONS, type Permission } from '@/server/domain/authz/permissions';
import type { ServiceContext } from './context';
import { forbidden, notFound, unauthenticated } from './errors';

export function authorize(ctx: ServiceContext, permission: Permission, tenant?: { id: string; label?: string }): void {
  const p = ctx.principal;
  if (p.kind === 'system') return;
  if (p.kind === 'anonymous') throw unauthenticated('Sign in first');
  if (p.kind === 'agent') throw forbidden('Agents may only use the agent API');
  const caller = { grants: p.grants, mfaVerified: p.mfaVerified };
  const decision = tenant ? holdsPermissionInTenant(caller, permission, tenant.id) : holdsPermission(caller, permission);
  if (decision.allowed) return;
  switch (decision.reason) {
    case 'mfa-required':
      throw forbidden(`${PERMISSIONS[permission].description} needs two-factor authentication: set it up under Account, then sign in again`);
    case 'not-in-tenant':
      throw notFound(tenant?.label ?? 'Tenant');
    default:
      throw forbidden(`You do not have the ${permission} permission`);
  }
}

/** A change (or what drafting one needs) outside any tenant: only a globally granted role reaches there. */
export function authorizeGlobalScope(ctx: ServiceContext): void {
  const p = ctx.principal;
  if (p.kind === 'user' && !p.grants.some((g) => g.tenantId === null)) throw forbidden('Global changes need a global role');
}
