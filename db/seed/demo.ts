// Demo data for `verity demo`: tenants from a realistic shop (payments, storefront,
// analytics) and a university sandbox, and one account per role. Demo accounts are flagged is_demo and shown as such;
// their password is random per data folder and printed at each demo start.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../client';
import type { Role } from '@/server/domain/authz/permissions';
import { countUsers } from '@/server/services/users/count-users';
import { seedTenant, seedUser } from './factories';

export const DEMO_CLUSTER = 'demo-cluster';

// The namespaces of the simulated cluster the demo agent reports (agent/drivers/sim).
const TENANTS = [
  { slug: 'payments', namespaces: ['payments'] },
  { slug: 'storefront', namespaces: ['storefront'] },
  { slug: 'analytics', namespaces: ['analytics'] },
  { slug: 'university', namespaces: ['sandbox-students'] },
];

const ACCOUNTS: { email: string; role: Role; tenant: string | null }[] = [
  { email: 'admin@demo.verity.local', role: 'security_admin', tenant: null },
  { email: 'payments-admin@demo.verity.local', role: 'tenant_admin', tenant: 'payments' },
  { email: 'approver@demo.verity.local', role: 'approver', tenant: null },
  { email: 'auditor@demo.verity.local', role: 'auditor', tenant: null },
  { email: 'viewer@demo.verity.local', role: 'viewer', tenant: 'storefront' },
];

export function demoPassword(dataDir: string): string {
  const file = path.join(dataDir, 'demo-password');
  if (!existsSync(file)) writeFileSync(file, `demo-${randomBytes(9).toString('base64url')}`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** Seeds once, into an empty database. */
export async function seedDemo(db: Db, password: string) {
  if ((await countUsers(db)) > 0) return { seeded: false, accounts: ACCOUNTS };
  const ids = new Map<string, string>();
  for (const t of TENANTS) ids.set(t.slug, (await seedTenant(db, t.slug, { cluster: DEMO_CLUSTER, namespaces: t.namespaces })).id);
  for (const a of ACCOUNTS) {
    await seedUser(db, { email: a.email, password, isDemo: true, grants: [{ role: a.role, tenantId: a.tenant ? ids.get(a.tenant)! : null }] });
  }
  return { seeded: true, accounts: ACCOUNTS };
}
