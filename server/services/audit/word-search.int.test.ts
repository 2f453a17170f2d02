// Word searches read the newest WORD_WINDOW events under the other filters first and only then
// look older (walking on, or asking the word index): the pages must be exactly what one plain
// query over all matches gives, however the matches fall on either side of the window, on both
// drivers.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFor, seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import type { AuditFilters } from '@/server/domain/audit/audit-filters';
import { appendAuditEvents, type AuditInput } from '@/server/services/audit/append-event';
import { rowsOf } from '@/server/services/audit/audit-query';
import { searchAuditEvents, WORD_WINDOW } from '@/server/services/audit/search-events';
import { inScope } from '@/server/services/scope';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';

const T0 = Date.parse('2026-03-02T00:00:00Z');
// Enough that even one tenant (two events in three) has more than a window of them.
const N = Math.ceil(WORD_WINDOW * 1.5) + 300;

describe.each(testDrivers())('word search beyond the newest window (%s)', (driver) => {
  let t: TestDatabase;
  let acme: { id: string };
  let globex: { id: string };
  let auditorCtx: ReturnType<typeof contextFor>;
  let adminCtx: ReturnType<typeof contextFor>;

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    acme = await seedTenant(t.db, 'acme', { cluster: 'prod', namespaces: ['acme-web'] });
    globex = await seedTenant(t.db, 'globex', { cluster: 'prod', namespaces: ['globex-api'] });
    const auditor = await seedUser(t.db, { email: 'auditor@example.test', grants: [{ role: 'auditor', tenantId: null }] });
    const admin = await seedUser(t.db, { email: 'ta@acme.test', grants: [{ role: 'tenant_admin', tenantId: acme.id }] });
    const now = () => new Date(T0 + 10 * 86_400_000);
    auditorCtx = contextFor(t.db, { kind: 'user', userId: auditor.id, email: auditor.email, grants: [{ role: 'auditor', tenantId: null }], mfaVerified: true, sessionId: null }, now);
    adminCtx = contextFor(t.db, { kind: 'user', userId: admin.id, email: admin.email, grants: [{ role: 'tenant_admin', tenantId: acme.id }], mfaVerified: true, sessionId: null }, now);
    // Event i (oldest first, two to a minute so the keyset has ties, every eleventh ten
    // minutes late): "everywhere" in all; "oldonly" only in the 40 oldest; "sparse" in every 25th
    // (so the newest window holds some of them and not a page); every third in globex;
    // "acmeold" in acme's events older than the window only.
    const inputs: AuditInput[] = Array.from({ length: N }, (_, i) => {
      const words = ['everywhere', i < 40 ? 'oldonly' : '', i % 25 === 0 ? 'sparse' : '', i < N - WORD_WINDOW - 50 && i % 3 !== 0 ? 'acmeold' : ''].filter(Boolean);
      return {
        action: 'tenant.note',
        tenantId: i % 3 === 0 ? globex.id : acme.id,
        outcome: 'success',
        occurredAt: new Date(T0 + Math.floor(i / 2) * 60_000 - (i % 11 === 0 ? 600_000 : 0)),
        details: { note: words.join(' ') },
      };
    });
    const sys = systemContext(t.db);
    await inScope(sys, (tx) => appendAuditEvents(tx, sys, inputs));
  }, 120_000);
  afterAll(() => t?.dispose());

  /** Every page of a search, followed by cursor, as seqs. */
  async function allPages(ctx: typeof auditorCtx, filters: AuditFilters, limit: number) {
    const seqs: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page = await searchAuditEvents(ctx, { filters, limit, cursor });
      seqs.push(...page.events.filter((e) => e.action !== 'audit.searched').map((e) => e.seq));
      if (!page.nextCursor) return seqs;
      cursor = page.nextCursor;
    }
    throw new Error('did not end');
  }

  /** The same search as one plain query over every match, newest first. */
  async function expected(tenant: string | null, word: string) {
    return rowsOf(
      await t.db.execute(sql`select seq from audit_events where action = 'tenant.note' and search @@ websearch_to_tsquery('simple', ${word})
        and (${tenant}::uuid is null or tenant_id = ${tenant}::uuid) order by occurred_at desc, seq desc`),
    ).map((r) => Number(r.seq));
  }

  const all = { range: 'all' } as const;

  it('finds matches older than the window, in order, page after page, without skipping or repeating', async () => {
    for (const word of ['oldonly', 'sparse', 'everywhere']) {
      const want = await expected(null, word);
      expect(want.length).toBeGreaterThan(0);
      for (const limit of word === 'everywhere' ? [50] : [7, 50]) expect(await allPages(auditorCtx, { ...all, q: word, action: 'tenant.note' }, limit)).toEqual(want);
    }
  });

  it('a page that starts in the window and ends beyond it holds both, in order', async () => {
    const want = await expected(null, 'sparse');
    const window = rowsOf(await t.db.execute(sql`select seq from audit_events where action = 'tenant.note' order by occurred_at desc, seq desc limit ${WORD_WINDOW}`)).map((r) => Number(r.seq));
    const inWindow = want.filter((seq) => window.includes(seq)).length;
    expect(inWindow).toBeGreaterThan(0);
    expect(inWindow).toBeLessThan(want.length - 2);
    const first = await searchAuditEvents(auditorCtx, { filters: { ...all, q: 'sparse', action: 'tenant.note' }, limit: want.length - 2 });
    expect(first.events.map((e) => e.seq)).toEqual(want.slice(0, want.length - 2));
    expect(first.nextCursor).not.toBeNull();
  });

  it("a single tenant's pages, found by their keys first, are a plain query's, page after page", async () => {
    const plain = async (tenant: string) =>
      rowsOf(await t.db.execute(sql`select seq from audit_events where action = 'tenant.note' and tenant_id = ${tenant}::uuid order by occurred_at desc, seq desc`)).map((r) => Number(r.seq));
    expect(await allPages(adminCtx, { ...all, action: 'tenant.note' }, 50)).toEqual(await plain(acme.id));
    expect(await allPages(auditorCtx, { ...all, action: 'tenant.note', tenant: globex.id }, 7)).toEqual(await plain(globex.id));
    expect(await allPages(adminCtx, { ...all, action: 'tenant.note', tenant: globex.id }, 7)).toEqual([]);
  });

  it("a tenant admin's words beyond the window are their tenant's only", async () => {
    const want = await expected(acme.id, 'acmeold');
    expect(want.length).toBeGreaterThan(100);
    expect(await allPages(adminCtx, { ...all, q: 'acmeold' }, 50)).toEqual(want);
    // A few in the window, the rest found by walking on from its edge.
    expect(await allPages(adminCtx, { ...all, q: 'sparse' }, 50)).toEqual(await expected(acme.id, 'sparse'));
    expect(await allPages(adminCtx, { ...all, q: 'sparse' }, 7)).toEqual(await expected(acme.id, 'sparse'));
    expect(await allPages(adminCtx, { ...all, q: 'oldonly' }, 10)).toEqual(await expected(acme.id, 'oldonly'));
    expect(await allPages(adminCtx, { ...all, q: 'oldonly', tenant: globex.id }, 10)).toEqual([]);
    expect(await allPages(auditorCtx, { ...all, q: 'oldonly', tenant: globex.id }, 10)).toEqual(await expected(globex.id, 'oldonly'));
  });
});
