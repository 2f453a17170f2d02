// Which events a reader may see in the audit trail: all of them with a global grant that
// carries audit:read, else only the events of the tenants where a grant carries it. (The
// row-level security scope is wider, every tenant the user belongs to in any role: a
// global viewer who is also one tenant's admin must still see only that tenant's events.)
import type { Grant } from '@/server/domain/authz/decide';
import { roleHas } from '@/server/domain/authz/permissions';

export type AuditScope = { all: true } | { all: false; tenantIds: string[] };

export function auditScope(grants: readonly Grant[]): AuditScope {
  const reading = grants.filter((g) => roleHas(g.role, 'audit:read'));
  if (reading.some((g) => g.tenantId === null)) return { all: true };
  return { all: false, tenantIds: [...new Set(reading.map((g) => g.tenantId as string))].sort() };
}
