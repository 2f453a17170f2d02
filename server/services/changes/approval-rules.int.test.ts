// Approval rules per tenant: admins set them (audited), everyone who reads changes sees them,
// a tenant without its own rule inherits the global one.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '@/db/schema';
import { contextFor, seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import { inScope } from '@/server/services/scope';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { readApprovalRule, setApprovalRule } from './approval-rules';

describe.each(testDrivers())('approval rules (%s)', (driver) => {
  let t: TestDatabase;
  let tenantId: string;
  beforeAll(async () => {
    t = await openTestDatabase(driver);
    tenantId = (await seedTenant(t.db, 'acme')).id;
  });
  afterAll(() => t?.dispose());

  it('inherits the global rule until the tenant gets its own, and every change of a rule is audited', async () => {
    const admin = await seedUser(t.db, { email: 'admin@example.test', grants: [{ role: 'security_admin', tenantId: null }] });
    const ctx = contextFor(t.db, { kind: 'user', userId: admin.id, email: admin.email, grants: [{ role: 'security_admin', tenantId: null }], mfaVerified: true, sessionId: null });
    expect(await readApprovalRule(ctx, { tenantId })).toEqual({ requiredApprovals: 1, approvalTtlMinutes: 1440, inherited: true });
    await setApprovalRule(ctx, { tenantId, requiredApprovals: 2, approvalTtlMinutes: 60 });
    await setApprovalRule(ctx, { tenantId, requiredApprovals: 3, approvalTtlMinutes: 90 });
    expect(await readApprovalRule(ctx, { tenantId })).toEqual({ requiredApprovals: 3, approvalTtlMinutes: 90, inherited: false });
    const events = await inScope(systemContext(t.db), (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, 'approval_rule.set')));
    expect(events.map((e) => e.details)).toEqual([
      { before: null, after: { requiredApprovals: 2, approvalTtlMinutes: 60 } },
      { before: { requiredApprovals: 2, approvalTtlMinutes: 60 }, after: { requiredApprovals: 3, approvalTtlMinutes: 90 } },
    ]);
  });

  it('a tenant admin reads the rule but cannot change it', async () => {
    const ta = await seedUser(t.db, { email: 'ta@example.test', grants: [{ role: 'tenant_admin', tenantId }] });
    const ctx = contextFor(t.db, { kind: 'user', userId: ta.id, email: ta.email, grants: [{ role: 'tenant_admin', tenantId }], mfaVerified: true, sessionId: null });
    await expect(readApprovalRule(ctx, { tenantId })).resolves.toMatchObject({ requiredApprovals: 3 });
    await expect(setApprovalRule(ctx, { tenantId, requiredApprovals: 1, approvalTtlMinutes: 60 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
