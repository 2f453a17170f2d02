import { describe, expect, it } from 'vitest';
import { holdsPermission, holdsPermissionInTenant, needsMfa, tenantScope } from './decide';
import { PERMISSION_NAMES, ROLE_PERMISSIONS, ROLES } from './permissions';

const A = 'aaaaaaaa-0000-0000-0000-000000000000';
const B = 'bbbbbbbb-0000-0000-0000-000000000000';

describe('the permission table', () => {
  it('has no superuser: no role holds every permission', () => {
    for (const role of ROLES) expect(ROLE_PERMISSIONS[role].length).toBeLessThan(PERMISSION_NAMES.length);
  });
  it('keeps proposing and approving apart', () => {
    for (const role of ROLES) {
      const p = ROLE_PERMISSIONS[role];
      expect(p.includes('change:approve') && (p.includes('netpol:propose') || p.includes('rbac:propose'))).toBe(false);
    }
  });
  it('the auditor is read-only', () => {
    expect(ROLE_PERMISSIONS.auditor.every((p) => p.endsWith(':read') || p === 'audit:verify')).toBe(true);
  });
});

describe('holdsPermission', () => {
  it('denies a caller with no grants', () => expect(holdsPermission({ grants: [], mfaVerified: true }, 'tenant:read')).toEqual({ allowed: false, reason: 'no-permission' }));
  it('requires MFA for admin and approve permissions', () => {
    const admin = { grants: [{ role: 'security_admin' as const, tenantId: null }], mfaVerified: false };
    expect(holdsPermission(admin, 'tenant:manage')).toEqual({ allowed: false, reason: 'mfa-required' });
    expect(holdsPermission(admin, 'tenant:read')).toEqual({ allowed: true });
    const approver = { grants: [{ role: 'approver' as const, tenantId: A }], mfaVerified: false };
    expect(holdsPermission(approver, 'change:approve')).toEqual({ allowed: false, reason: 'mfa-required' });
  });
  it('a tenant-scoped grant never carries a global-only permission', () => {
    const scoped = { grants: [{ role: 'security_admin' as const, tenantId: A }], mfaVerified: true };
    expect(holdsPermission(scoped, 'tenant:manage')).toEqual({ allowed: false, reason: 'no-permission' });
    expect(holdsPermission(scoped, 'graph:read')).toEqual({ allowed: true });
  });
  it('a tenant grant holds only in that tenant; a global grant in all', () => {
    const ta = { grants: [{ role: 'tenant_admin' as const, tenantId: A }], mfaVerified: false };
    expect(holdsPermissionInTenant(ta, 'netpol:propose', A)).toEqual({ allowed: true });
    expect(holdsPermissionInTenant(ta, 'netpol:propose', B)).toEqual({ allowed: false, reason: 'not-in-tenant' });
    const viewer = { grants: [{ role: 'viewer' as const, tenantId: null }], mfaVerified: false };
    expect(holdsPermissionInTenant(viewer, 'graph:read', B)).toEqual({ allowed: true });
    expect(holdsPermissionInTenant(viewer, 'netpol:propose', B)).toEqual({ allowed: false, reason: 'no-permission' });
  });
});

describe('tenantScope and needsMfa', () => {
  it('any global grant sees all tenants; otherwise the granted ones', () => {
    expect(tenantScope([{ role: 'viewer', tenantId: null }])).toEqual({ allTenants: true, tenantIds: [] });
    expect(tenantScope([{ role: 'viewer', tenantId: B }, { role: 'tenant_admin', tenantId: A }, { role: 'approver', tenantId: A }])).toEqual({ allTenants: false, tenantIds: [A, B] });
  });
  it('MFA is due for admins and approvers, not for viewers and tenant admins', () => {
    expect(needsMfa([{ role: 'security_admin', tenantId: null }])).toBe(true);
    expect(needsMfa([{ role: 'approver', tenantId: A }])).toBe(true);
    expect(needsMfa([{ role: 'viewer', tenantId: null }, { role: 'tenant_admin', tenantId: A }])).toBe(false);
  });
});
