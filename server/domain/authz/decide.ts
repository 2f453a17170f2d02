// Decides whether a caller's grants allow a permission, optionally inside one tenant.
// Pure: the caller's grants and session state come in, a decision with a reason goes out.
import { PERMISSIONS, type Permission, type Role, roleHas } from './permissions';

export interface Grant {
  role: Role;
  /** null: global grant. */
  tenantId: string | null;
}

export interface Caller {
  grants: readonly Grant[];
  mfaVerified: boolean;
}

export type Decision =
  | { allowed: true }
  | { allowed: false; reason: 'no-permission' | 'not-in-tenant' | 'mfa-required' };

/** Whether the caller holds the permission somewhere (the check made before input is read). */
export function holdsPermission(caller: Caller, permission: Permission): Decision {
  const spec = PERMISSIONS[permission];
  const held = caller.grants.some((g) => roleHas(g.role, permission) && (spec.scope === 'tenant' || g.tenantId === null));
  if (!held) return { allowed: false, reason: 'no-permission' };
  if (spec.mfa && !caller.mfaVerified) return { allowed: false, reason: 'mfa-required' };
  return { allowed: true };
}

/** Whether the caller holds the permission inside one tenant. */
export function holdsPermissionInTenant(caller: Caller, permission: Permission, tenantId: string): Decision {
  const first = holdsPermission(caller, permission);
  if (!first.allowed) return first;
  const inTenant = caller.grants.some((g) => roleHas(g.role, permission) && (g.tenantId === null || g.tenantId === tenantId));
  return inTenant ? { allowed: true } : { allowed: false, reason: 'not-in-tenant' };
}

/** The tenants whose rows a caller may see: every tenant with a global grant, else those granted. */
export function tenantScope(grants: readonly Grant[]): { allTenants: boolean; tenantIds: string[] } {
  if (grants.some((g) => g.tenantId === null)) return { allTenants: true, tenantIds: [] };
  return { allTenants: false, tenantIds: [...new Set(grants.map((g) => g.tenantId as string))].sort() };
}

/** Whether a user's roles include any permission that needs MFA (so enrolment is due). */
export function needsMfa(grants: readonly Grant[]): boolean {
  return grants.some((g) => (Object.keys(PERMISSIONS) as Permission[]).some((p) => PERMISSIONS[p].mfa && roleHas(g.role, p)));
}
