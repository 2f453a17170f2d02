// The audit chain in the database: append-only by the database's own rules, linked by
// hashes, and any tampering named by the verifier.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import { appendAuditEvent } from '@/server/services/audit/append-event';
import { verifyAuditChain, walkChain } from '@/server/services/audit/verify-audit-chain';
import { inScope } from '@/server/services/scope';
import { createTenant } from '@/server/services/tenants/create-tenant';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';
import { eq } from 'drizzle-orm';
import { auditEvents, tenants } from '@/db/schema';

describe.each(testDrivers())('audit chain (%s)', (driver) => {
  let t: TestDatabase;
  beforeEach(async () => {
    await t?.dispose();
    t = await openTestDatabase(driver);
    await seedTenant(t.db, 'acme', { cluster: 'prod', namespaces: ['web'] });
    await seedUser(t.db, { email: 'a@example.test', password: 'long enough passphrase' });
  });
  afterAll(() => t?.dispose());

  const walk = () => inScope(systemContext(t.db), (tx) => walkChain(tx));

  it('links every event to the one before and verifies clean', async () => {
    const report = await verifyAuditChain(systemContext(t.db));
    expect(report).toEqual({ ok: true, checked: 3, headSeq: 3 }); // tenant.created, user.created, user.setup_completed
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even from the owner', async () => {
    await expect(t.ownerSql(`UPDATE audit_events SET action = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.ownerSql(`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.ownerSql(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
  });

  it('the application role cannot even try: it holds no UPDATE or DELETE privilege', async () => {
    const ctx = systemContext(t.db);
    await expect(inScope(ctx, (tx) => tx.delete(auditEvents))).rejects.toThrow();
  });

  it('names the first edited event when someone with superuser rights rewrites a row', async () => {
    await t.ownerSql(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete`);
    await t.ownerSql(`UPDATE audit_events SET details = '{"name":"Evil"}' WHERE seq = 2`);
    const report = await walk();
    expect(report).toMatchObject({ ok: false, firstBreak: { seq: 2, kind: 'hash-mismatch' } });
  });

  it('notices a deleted event in the middle and a cut tail', async () => {
    await t.ownerSql(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete`);
    await t.ownerSql(`DELETE FROM audit_events WHERE seq = 3`);
    expect(await walk()).toMatchObject({ ok: false, firstBreak: { seq: 3, kind: 'truncated' } });
    await t.ownerSql(`DELETE FROM audit_events WHERE seq = 2`);
    await t.ownerSql(`INSERT INTO audit_events (seq, id, occurred_at, source, cluster_id, actor_type, actor_id, actor_label, tenant_id, action, resource_type, resource_id, outcome, client_address, user_agent, details, prev_hash, hash) SELECT 3, gen_random_uuid(), occurred_at, source, cluster_id, actor_type, actor_id, actor_label, tenant_id, action, resource_type, resource_id, outcome, client_address, user_agent, details, prev_hash, hash FROM audit_events WHERE seq = 1`);
    expect(await walk()).toMatchObject({ ok: false, firstBreak: { seq: 2, kind: 'gap' } });
  });

  it('a change and its audit record commit together or not at all', async () => {
    const ctx = systemContext(t.db);
    await expect(
      inScope(ctx, async (tx) => {
        await tx.insert(tenants).values({ slug: 'ghost', name: 'Ghost' });
        await appendAuditEvent(tx, ctx, { action: 'tenant.created', outcome: 'success' });
        throw new Error('crash after the audit row');
      }),
    ).rejects.toThrow('crash');
    const rows = await inScope(ctx, (tx) => tx.select().from(tenants));
    expect(rows.map((r) => r.slug)).toEqual(['acme']);
    expect(await walk()).toEqual({ ok: true, checked: 3, headSeq: 3 });
    // A failed write (duplicate slug) leaves no record either.
    await expect(createTenant(ctx, { name: 'Acme', slug: 'acme', namespaces: [] })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await walk()).toEqual({ ok: true, checked: 3, headSeq: 3 });
  });

  it('an append hashed against a head that has since moved is hashed again under the lock', async () => {
    const ctx = systemContext(t.db);
    // The head a search would have read before three other events were written.
    const stale = { seq: 0, hash: '0'.repeat(64) };
    const r = await inScope(ctx, (tx) => appendAuditEvent(tx, ctx, { action: 'audit.searched', outcome: 'success' }, stale));
    expect(r.seq).toBe(4);
    // And one hashed against the current head is written as it was hashed.
    const fresh = await inScope(ctx, (tx) => appendAuditEvent(tx, ctx, { action: 'audit.searched', outcome: 'success' }, { seq: 4, hash: '' }));
    expect(fresh.seq).toBe(5);
    const [head] = await inScope(ctx, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.seq, 5)));
    const current = await inScope(ctx, (tx) => appendAuditEvent(tx, ctx, { action: 'audit.searched', outcome: 'success' }, { seq: 5, hash: head!.hash }));
    expect(current.seq).toBe(6);
    expect(await walk()).toEqual({ ok: true, checked: 6, headSeq: 6 });
  });

  it('concurrent writers still produce one unbroken chain', async () => {
    const ctx = systemContext(t.db);
    await Promise.all(Array.from({ length: 12 }, (_, i) => createTenant(ctx, { name: `T${i}`, slug: `t${i}`, namespaces: [] })));
    expect(await walk()).toEqual({ ok: true, checked: 15, headSeq: 15 });
  });
});
