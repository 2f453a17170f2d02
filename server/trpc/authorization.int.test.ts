// The console's own zero trust, checked over the whole router: every procedure declares
// its access, and every role gets exactly what the permission table says, no more.
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, seedUser } from '@/db/seed/factories';
import { ROLES, roleHas, type Permission, type Role } from '@/server/domain/authz/permissions';
import { appRouter } from '@/server/trpc/app-router';
import type { Meta } from '@/server/trpc/init';
import { callerWithToken, sessionToken } from '@/test/helpers/sessions';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';

type Procedures = Record<string, { _def: { meta?: Meta; type: 'query' | 'mutation' | 'subscription' } }>;
const procedures = (appRouter._def as unknown as { procedures: Procedures }).procedures;
const paths = Object.keys(procedures).sort();

async function call(caller: unknown, path: string, input: unknown) {
  const fn = path.split('.').reduce((o: any, k) => o[k], caller as any) as (i: unknown) => Promise<unknown>;
  try {
    await fn(input);
    return 'OK';
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

describe('every procedure declares its access', () => {
  it.each(paths)('%s has a permission or an explicit access level', (path) => {
    const meta = procedures[path]!._def.meta;
    expect(meta, `${path} has no meta`).toBeDefined();
    expect(Boolean(meta!.permission) !== Boolean(meta!.access), `${path} must declare exactly one of permission/access`).toBe(true);
  });

  it('the router has the procedures the console uses', () => {
    expect(paths).toEqual(expect.arrayContaining(['auth.signIn', 'tenants.create', 'users.grant', 'audit.search', 'audit.verify']));
  });
});

describe.each(testDrivers())('role × procedure matrix (%s)', (driver) => {
  let t: TestDatabase;
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    const tenant = await seedTenant(t.db, 'acme');
    for (const role of ROLES) {
      const user = await seedUser(t.db, { email: `${role}@example.test`, grants: [{ role, tenantId: role === 'tenant_admin' ? tenant.id : null }] });
      tokens.set(role, await sessionToken(t.db, user.id, { mfaVerified: true }));
    }
  });
  afterAll(() => t?.dispose());

  const permissionProcedures = paths.filter((p) => procedures[p]!._def.meta?.permission);

  it.each(ROLES)('%s gets exactly the procedures its permissions allow', async (role) => {
    const { caller } = await callerWithToken(t.db, tokens.get(role));
    for (const path of permissionProcedures) {
      const permission = procedures[path]!._def.meta!.permission as Permission;
      // Called with no input: a denied caller is stopped before input is read; an allowed one
      // gets as far as input validation (BAD_REQUEST) or, for input-less reads, an answer.
      const code = await call(caller, path, undefined);
      if (roleHas(role, permission)) {
        expect(code, `${role} → ${path}`).not.toBe('FORBIDDEN');
        expect(code, `${role} → ${path}`).not.toBe('UNAUTHORIZED');
      } else {
        expect(code, `${role} → ${path}`).toBe('FORBIDDEN');
      }
    }
  });

  it('an anonymous caller reaches only public procedures', async () => {
    const { caller } = await callerWithToken(t.db, undefined);
    for (const path of paths) {
      const code = await call(caller, path, undefined);
      if (procedures[path]!._def.meta?.access === 'public') expect(code, path).toBe('BAD_REQUEST');
      else expect(code, path).toBe('UNAUTHORIZED');
    }
  });

  it('an admin whose session skipped MFA cannot use MFA-guarded permissions', async () => {
    const admin = await seedUser(t.db, { email: 'nomfa-admin@example.test', grants: [{ role: 'security_admin', tenantId: null }] });
    const { caller } = await callerWithToken(t.db, await sessionToken(t.db, admin.id, { mfaVerified: false }));
    await expect(caller.tenants.create({ name: 'X', slug: 'x', namespaces: [] })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('two-factor') });
    // Reads that need no second factor still work.
    await expect(caller.tenants.list()).resolves.toBeInstanceOf(Array);
  });

  it('denials are audited', async () => {
    const { caller } = await callerWithToken(t.db, tokens.get('viewer'));
    await expect(caller.users.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const { caller: auditor } = await callerWithToken(t.db, tokens.get('auditor'));
    const page = await auditor.audit.search({ filters: { action: 'authz.denied' }, limit: 5 });
    expect(page.events[0]).toMatchObject({ action: 'authz.denied', outcome: 'denied', resourceId: 'users.list', actorLabel: 'viewer@example.test' });
  });
});
