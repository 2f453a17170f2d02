// Seed factories shared by integration tests, end-to-end set-up and the demo: they go
// through the same service verbs as the console, so seeded data is audited like any other.
import type { Db } from '../client';
import type { Role } from '@/server/domain/authz/permissions';
import type { Principal, ServiceContext } from '@/server/services/context';
import { completeAccountSetup } from '@/server/services/auth/complete-account-setup';
import { createTenant } from '@/server/services/tenants/create-tenant';
import { createUser } from '@/server/services/users/create-user';

export function systemContext(db: Db, now: () => Date = () => new Date(), label = 'seed'): ServiceContext {
  return { db, now, principal: { kind: 'system', label }, client: { address: null, userAgent: null } };
}

export function contextFor(db: Db, principal: Principal, now: () => Date = () => new Date()): ServiceContext {
  return { db, now, principal, client: { address: '127.0.0.1', userAgent: 'test' } };
}

export async function seedTenant(db: Db, slug: string, opts: { cluster?: string; namespaces?: string[]; now?: () => Date } = {}) {
  return createTenant(systemContext(db, opts.now), { name: slug[0]!.toUpperCase() + slug.slice(1), slug, cluster: opts.cluster, namespaces: opts.namespaces ?? [] });
}

/** A user with the given grants and a password already set (through their setup link). */
export async function seedUser(
  db: Db,
  opts: { email: string; password?: string; grants?: { role: Role; tenantId: string | null }[]; isDemo?: boolean; now?: () => Date },
) {
  const ctx = systemContext(db, opts.now);
  const created = await createUser(ctx, { email: opts.email, displayName: opts.email.split('@')[0]!, grants: opts.grants ?? [], isDemo: opts.isDemo });
  if (opts.password) {
    const token = created.setupPath.split('#token=')[1]!;
    await completeAccountSetup(ctx, { token, password: opts.password });
  }
  return created.user;
}
