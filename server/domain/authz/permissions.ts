// The one permission table: which role carries which permission, where a grant of it
// counts (global only, or per tenant), and which permissions need a second factor.
// No role holds everything: security admins cannot approve, approvers cannot propose.

export const ROLES = ['security_admin', 'tenant_admin', 'approver', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

interface PermissionSpec {
  /** 'global': only a global grant carries it. 'tenant': a grant in a tenant carries it there; a global grant everywhere. */
  scope: 'global' | 'tenant';
  /** Needs a session whose second factor was verified. */
  mfa: boolean;
  description: string;
}

export const PERMISSIONS = {
  'tenant:read': { scope: 'tenant', mfa: false, description: 'See a tenant, its clusters and namespaces' },
  'tenant:manage': { scope: 'global', mfa: true, description: 'Create tenants and assign clusters and namespaces' },
  'user:read': { scope: 'global', mfa: false, description: 'List console users and their grants' },
  'user:manage': { scope: 'global', mfa: true, description: 'Create users and issue setup links' },
  'grant:manage': { scope: 'global', mfa: true, description: 'Grant and revoke roles' },
  'cluster:read': { scope: 'tenant', mfa: false, description: 'See clusters and their agents' },
  'cluster:enroll': { scope: 'global', mfa: true, description: 'Register clusters and revoke agents' },
  'graph:read': { scope: 'tenant', mfa: false, description: 'See the traffic graph' },
  'netpol:read': { scope: 'tenant', mfa: false, description: 'See network policies' },
  'netpol:propose': { scope: 'tenant', mfa: false, description: 'Draft network-policy changes' },
  'rbac:read': { scope: 'tenant', mfa: false, description: 'See RBAC objects and effective permissions' },
  'rbac:propose': { scope: 'tenant', mfa: false, description: 'Draft RBAC changes' },
  'change:read': { scope: 'tenant', mfa: false, description: 'See change requests' },
  'change:approve': { scope: 'tenant', mfa: true, description: 'Approve or reject change requests' },
  'quota:read': { scope: 'tenant', mfa: false, description: 'See quota use' },
  'audit:read': { scope: 'tenant', mfa: false, description: 'Search the audit trail' },
  'audit:verify': { scope: 'global', mfa: false, description: 'Verify the audit chain' },
  'abuse:read': { scope: 'tenant', mfa: false, description: 'See abuse findings, the responses to them and sleeping workloads' },
  'abuse:respond': { scope: 'tenant', mfa: true, description: 'Act on abuse findings: notify, propose a quarantine or quota squeeze, resolve' },
  'abuse:acknowledge': { scope: 'tenant', mfa: false, description: 'Acknowledge the security team’s notifications to a tenant' },
  'abuse:configure': { scope: 'global', mfa: true, description: 'Set the abuse thresholds of tenants' },
  // No second factor: sleep is reversible and audited, and tenant admins (who wake their
  // own workloads) are not required to enrol one.
  'workload:sleep': { scope: 'tenant', mfa: false, description: 'Put workloads to sleep, wake them, and opt a tenant in to activity-based sleep' },
} as const satisfies Record<string, PermissionSpec>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  security_admin: [
    'tenant:read', 'tenant:manage', 'user:read', 'user:manage', 'grant:manage', 'cluster:read', 'cluster:enroll',
    'graph:read', 'netpol:read', 'netpol:propose', 'rbac:read', 'rbac:propose', 'change:read', 'quota:read', 'audit:read',
    'audit:verify', 'abuse:read', 'abuse:acknowledge', 'abuse:respond', 'abuse:configure', 'workload:sleep',
  ],
  tenant_admin: [
    'tenant:read', 'cluster:read', 'graph:read', 'netpol:read', 'netpol:propose', 'rbac:read', 'rbac:propose',
    'change:read', 'quota:read', 'audit:read', 'abuse:read', 'abuse:acknowledge', 'workload:sleep',
  ],
  approver: ['tenant:read', 'cluster:read', 'graph:read', 'netpol:read', 'rbac:read', 'change:read', 'change:approve', 'quota:read'],
  auditor: ['tenant:read', 'cluster:read', 'user:read', 'change:read', 'audit:read', 'audit:verify'],
  viewer: ['tenant:read', 'cluster:read', 'graph:read', 'netpol:read', 'rbac:read', 'change:read', 'quota:read', 'abuse:read'],
};

export function roleHas(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
