// The audit timeline against a real database, on both drivers: search semantics, keyset
// paging, time zones, tenant scoping through tRPC and the export route, correlation,
// bundles verified offline, checkpoints, retention and truncation.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, seedUser, systemContext } from '@/db/seed/factories';
import { redactKubeAuditEvent } from '@/server/services/agents/ingest-kube-audit';
import { sql } from 'drizzle-orm';
import { appendAuditEvents, type AuditInput } from '@/server/services/audit/append-event';
import { rowsOf } from '@/server/services/audit/audit-query';
import { applyAuditRetention } from '@/server/services/audit/apply-retention';
import { checkpointPublicKey, recordCheckpoint } from '@/server/services/audit/checkpoints';
import { handleAuditExport } from '@/server/services/audit/export-http';
import { verifyBundleFile } from '@/server/services/audit/verify-bundle-file';
import { walkChain } from '@/server/services/audit/verify-audit-chain';
import { inScope } from '@/server/services/scope';
import { callerWithToken, sessionToken } from '@/test/helpers/sessions';
import { openTestDatabase, type TestDatabase, testDrivers } from '@/test/helpers/test-database';

const T0 = Date.parse('2026-01-10T12:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe.each(testDrivers())('audit timeline (%s)', (driver) => {
  let t: TestDatabase;
  let acme: { id: string };
  let globex: { id: string };
  const tokens: Record<string, string> = {};
  const seqs: Record<string, number> = {};
  const sys = () => systemContext(t.db);
  const append = (inputs: AuditInput[]) => inScope(sys(), (tx) => appendAuditEvents(tx, sys(), inputs));
  const caller = async (who: string) => (await callerWithToken(t.db, tokens[who])).caller;
  const exportAs = async (who: string, query: string) => {
    const res = await handleAuditExport(t.db, new Request(`http://console/api/audit/export?${query}`, { headers: { cookie: `verity_session=${tokens[who]}` } }));
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  };

  beforeAll(async () => {
    t = await openTestDatabase(driver);
    acme = await seedTenant(t.db, 'acme', { cluster: 'prod', namespaces: ['acme-web'] });
    globex = await seedTenant(t.db, 'globex', { cluster: 'prod', namespaces: ['globex-api'] });
    const users = {
      auditor: await seedUser(t.db, { email: 'auditor@example.test', grants: [{ role: 'auditor', tenantId: null }] }),
      acmeAdmin: await seedUser(t.db, { email: 'ta@acme.test', grants: [{ role: 'tenant_admin', tenantId: acme.id }] }),
      viewer: await seedUser(t.db, { email: 'viewer@example.test', grants: [{ role: 'viewer', tenantId: null }] }),
      bothAdmin: await seedUser(t.db, { email: 'ta@both.test', grants: [{ role: 'tenant_admin', tenantId: acme.id }, { role: 'tenant_admin', tenantId: globex.id }] }),
    };
    for (const [k, u] of Object.entries(users)) tokens[k] = await sessionToken(t.db, u.id, { mfaVerified: true });
    const secretEvent = redactKubeAuditEvent({
      auditID: 'kube-secret-1', verb: 'update', user: { username: 'mallory' }, objectRef: { resource: 'secrets', namespace: 'acme-web', name: 'db-password' },
      requestObject: { data: { password: 'hunter2-topsecret' } }, responseObject: { data: { password: 'hunter2-topsecret' } }, requestURI: '/api/v1/namespaces/acme-web/secrets/db-password',
    } as never);
    const r = await append([
      { action: 'change.drafted', tenantId: acme.id, outcome: 'success', resourceType: 'change_request', resourceId: 'chg-7', occurredAt: at(0), details: { title: 'Open payments to storefront' } },
      { action: 'change.approved', tenantId: acme.id, outcome: 'success', resourceType: 'change_request', resourceId: 'chg-7', occurredAt: at(5), details: {} },
      { action: 'agent.command_result', source: 'agent', outcome: 'success', resourceType: 'command', resourceId: 'cmd-1', occurredAt: at(6), details: { changeId: 'chg-7', status: 'applied', results: [{ ref: 'x', outcome: 'applied', auditId: 'kube-apply-1' }] } },
      { action: 'k8s.patch', source: 'kubernetes', tenantId: acme.id, outcome: 'success', resourceType: 'networkpolicies', resourceId: 'acme-web/allow-web', occurredAt: at(6), actor: { type: 'kube-user', id: null, label: 'system:serviceaccount:verity:agent' }, details: { auditID: 'kube-apply-1', decision: 'allow', reason: 'RBAC: allowed by ClusterRoleBinding "verity-agent"' } },
      { action: 'k8s.get', source: 'kubernetes', tenantId: acme.id, outcome: 'denied', resourceType: 'secrets', resourceId: 'acme-web/db-password', occurredAt: at(7), actor: { type: 'kube-user', id: null, label: 'mallory' }, details: { auditID: 'kube-denied-1', decision: 'forbid', note: 'payments quarantine' } },
      { action: 'k8s.update', source: 'kubernetes', tenantId: acme.id, outcome: 'success', resourceType: 'secrets', resourceId: 'acme-web/db-password', occurredAt: at(8), actor: { type: 'kube-user', id: null, label: 'mallory' }, details: { ...secretEvent } as Record<string, unknown> },
      { action: 'k8s.delete', source: 'kubernetes', tenantId: globex.id, outcome: 'success', resourceType: 'pods', resourceId: 'globex-api/api-1', occurredAt: at(9), actor: { type: 'kube-user', id: null, label: 'globex-ops' }, details: { auditID: 'kube-globex-1', note: 'payments rollout' } },
      // Three events in the same millisecond: the keyset must neither skip nor repeat them.
      ...[1, 2, 3].map((i) => ({ action: 'tenant.note', tenantId: acme.id, outcome: 'success' as const, occurredAt: at(10), details: { i } })),
      // Late in time order but early by the wall clock of Tokyo (next day there).
      { action: 'user.signed_in', outcome: 'success', occurredAt: new Date('2026-01-10T23:30:00Z'), details: {} },
    ]);
    seqs.first = r.firstSeq;
  });
  afterAll(() => t?.dispose());

  const search = async (who: string, filters: Record<string, string>, limit = 50, cursor?: string) => (await caller(who)).audit.search({ filters, limit, cursor });

  it('full text uses web-search syntax: words, "phrases", -exclusions and or', async () => {
    // (Earlier searches are audited with their terms, so they match too: left out here.)
    const actions = async (q: string) => (await search('auditor', { q })).events.map((e) => e.action).filter((a) => a !== 'audit.searched').sort();
    expect(await actions('payments')).toEqual(['change.drafted', 'k8s.delete', 'k8s.get']);
    expect(await actions('payments -globex')).toEqual(['change.drafted', 'k8s.get']);
    expect(await actions('"payments quarantine"')).toEqual(['k8s.get']);
    expect(await actions('"quarantine payments"')).toEqual([]);
    expect(await actions('quarantine or rollout')).toEqual(['k8s.delete', 'k8s.get']);
    expect(await actions('mallory secrets')).toEqual(['k8s.get', 'k8s.update']);
    expect((await actions('sign_in')).includes('user.signed_in')).toBe(false); // a different word
    expect(await actions('signed_in')).toContain('user.signed_in');
  });

  it('words are matched within the tenants the reader may see and the tenant asked for, through the tenant lexeme no text can name', async () => {
    const actions = async (who: string, filters: Record<string, string>) => (await search(who, filters)).events.map((e) => e.action).filter((a) => a !== 'audit.searched').sort();
    expect(await actions('acmeAdmin', { q: 'payments' })).toEqual(['change.drafted', 'k8s.get']);
    expect(await actions('bothAdmin', { q: 'payments' })).toEqual(['change.drafted', 'k8s.delete', 'k8s.get']);
    expect(await actions('bothAdmin', { q: 'payments', tenant: globex.id })).toEqual(['k8s.delete']);
    expect(await actions('auditor', { q: 'payments', tenant: globex.id.toUpperCase() })).toEqual(['k8s.delete']);
    expect(await actions('acmeAdmin', { q: 'payments', tenant: globex.id })).toEqual([]);
    expect(await actions('auditor', { q: 'payments', tenant: '-' })).toEqual([]);
    expect(await actions('auditor', { q: 'signed_in', tenant: '-' })).toEqual(['user.signed_in']);
    // The lexeme holds a space: typed as text it is words, found only where an event's text
    // holds them (the tenant's creation names it), never in the tenant's other events.
    expect(await actions('auditor', { q: `"tenant ${acme.id}"` })).toEqual(['tenant.created']);
    expect(await actions('acmeAdmin', { q: `tenant ${acme.id}` })).toEqual(['tenant.created']);
  });

  it('secret bodies never reach the log, so a search for their content finds nothing', async () => {
    expect((await search('auditor', { q: 'hunter2-topsecret' })).events).toEqual([]);
    const [e] = (await search('auditor', { action: 'k8s.update' })).events;
    expect(e!.details.requestObject).toBeUndefined();
    expect(JSON.stringify(e!.details)).not.toContain('hunter2');
  });

  it('facets count by actor, tenant, cluster, action, kind, outcome and source, under the other filters', async () => {
    const f = await (await caller('auditor')).audit.facets({ filters: { source: 'kubernetes' } });
    expect(f.total).toBe(4);
    expect(f.capped).toBe(false);
    expect(f.facets.outcome).toEqual(expect.arrayContaining([{ value: 'success', label: 'success', count: 3 }, { value: 'denied', label: 'denied', count: 1 }]));
    expect(f.facets.tenant.find((v) => v.label === 'Acme')?.count).toBe(3);
    expect(f.facets.kind.find((v) => v.value === 'secrets')?.count).toBe(2);
    expect(f.facets.actor.find((v) => v.value === 'mallory')?.count).toBe(2);
    const none = await (await caller('auditor')).audit.facets({ filters: { tenant: '-', action: 'user.signed_in' } });
    expect(none.total).toBe(1);
  });

  it('pages by keyset over equal timestamps without skipping or repeating', async () => {
    const all = (await search('auditor', { from: at(0).toISOString(), to: at(11).toISOString() }, 100)).events.map((e) => e.seq);
    const paged: number[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await search('auditor', { from: at(0).toISOString(), to: at(11).toISOString() }, 2, cursor);
      paged.push(...page.events.map((e) => e.seq));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(paged).toEqual(all);
    expect(new Set(paged).size).toBe(paged.length);
    expect(all.length).toBe(10);
    await expect((await caller('auditor')).audit.search({ filters: {}, cursor: 'nope', limit: 5 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('stores each month in its own partition, made on demand for old timestamps; a relative range reads back from now', async () => {
    const rel = await inScope(sys(), (tx) => tx.execute(sql`select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_events'::regclass order by 1`));
    expect(rowsOf(rel).map((r) => String(r.relname))).toContain('audit_events_202601');
    const recent = await search('auditor', { range: '24h' }, 200);
    expect(recent.events.length).toBeGreaterThan(0);
    expect(recent.events.every((e) => e.occurredAt.getTime() >= Date.now() - 86_400_000 - 60_000)).toBe(true);
    const all = await search('auditor', { range: 'all' }, 200);
    expect(all.events.map((e) => e.action)).toContain('change.drafted');
    expect((await search('auditor', {}, 200)).events.map((e) => e.action)).toContain('change.drafted');
  });

  it('reads wall-clock ranges in the given time zone; from is inclusive, to exclusive', async () => {
    const tokyoDay = await search('auditor', { from: '2026-01-11', to: '2026-01-12', tz: 'Asia/Tokyo' });
    expect(tokyoDay.events.map((e) => e.action)).toContain('user.signed_in');
    expect(tokyoDay.events.map((e) => e.action)).not.toContain('change.drafted'); // 21:00 on the 10th in Tokyo
    const utc = await search('auditor', { from: at(5).toISOString(), to: at(6).toISOString() });
    expect(utc.events.map((e) => e.action)).toEqual(['change.approved']);
    const berlin = await search('auditor', { from: '2026-01-10T13:05', to: '2026-01-10T13:06', tz: 'Europe/Berlin' });
    expect(berlin.events.map((e) => e.action)).toEqual(['change.approved']);
  });

  it('a first page names its tenants and clusters, says where the tail starts, and records the search linked after it', async () => {
    const page = await search('auditor', { action: 'k8s.delete' });
    expect(page.events.map((e) => e.tenantId)).toEqual([globex.id]);
    expect(page.names.tenants).toEqual({ [globex.id]: 'Globex' });
    expect(page.names.clusters).toEqual({}); // (these events name no cluster)
    const recorded = (await search('auditor', { action: 'audit.searched' })).events;
    expect(recorded[0]!.seq).toBe(page.tailFrom + 1);
    expect(recorded[0]!.details).toEqual({ filters: { action: 'k8s.delete' } });
    // Nothing matches: the tail still starts at the head, and the search is still recorded.
    const none = await search('auditor', { q: 'no-event-says-this' });
    expect(none).toMatchObject({ events: [], nextCursor: null, names: { tenants: {}, clusters: {} } });
    expect((await search('auditor', { action: 'audit.searched' })).events[0]!.seq).toBe(none.tailFrom + 1);
    expect(await inScope(sys(), (tx) => walkChain(tx))).toMatchObject({ ok: true });
  });

  it("a tenant admin's search, facets, details, story and tail never show another tenant's events", async () => {
    const ta = await caller('acmeAdmin');
    const mine = await ta.audit.search({ filters: {}, limit: 200 });
    expect(mine.events.length).toBeGreaterThan(0);
    expect(mine.events.every((e) => e.tenantId === acme.id)).toBe(true);
    expect(Object.keys(mine.names.tenants)).toEqual([acme.id]);
    // Asking for the other tenant explicitly changes nothing.
    expect((await ta.audit.search({ filters: { tenant: globex.id }, limit: 50 })).events).toEqual([]);
    expect((await ta.audit.search({ filters: { q: 'globex' }, limit: 50 })).events).toEqual([]);
    const facets = await ta.audit.facets({ filters: {} });
    expect(facets.facets.tenant.map((v) => v.value)).toEqual([acme.id]);
    const globexSeq = (await search('auditor', { tenant: globex.id })).events[0]!.seq;
    await expect(ta.audit.event({ seq: globexSeq })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(ta.audit.story({ seq: globexSeq })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await ta.audit.tail({ filters: {}, afterSeq: 0 })).events.every((e) => e.tenantId === acme.id)).toBe(true);
    await expect((await caller('viewer')).audit.search({ filters: {}, limit: 5 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it("a tenant admin's export holds only their tenant's events, and exports are audited", async () => {
    const nd = await exportAs('acmeAdmin', 'format=ndjson');
    expect(nd.status).toBe(200);
    const rows = nd.text.trim().split('\n').map((l) => JSON.parse(l) as { tenantId: string | null; action: string });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.tenantId === acme.id)).toBe(true);
    const csv = await exportAs('acmeAdmin', 'format=csv&tenant=' + globex.id);
    expect(csv.text.trim().split('\r\n')).toHaveLength(1); // the header only
    expect((await exportAs('viewer', 'format=csv')).status).toBe(403);
    expect((await handleAuditExport(t.db, new Request('http://console/api/audit/export'))).status).toBe(401);
    expect((await exportAs('auditor', 'format=ndjson&from=tomorrow')).status).toBe(400);
    const exported = await search('auditor', { action: 'audit.exported' });
    expect(exported.events.length).toBeGreaterThanOrEqual(2);
    expect((await search('auditor', { action: 'audit.searched' })).events.length).toBeGreaterThan(0);
  });

  it("follows a change's whole story, from the change or from any event in it", async () => {
    const a = await caller('auditor');
    const story = await a.audit.story({ changeId: 'chg-7' });
    expect(story.kind).toBe('change');
    expect(story.events.map((e) => e.action)).toEqual(['change.drafted', 'change.approved', 'agent.command_result', 'k8s.patch']);
    const kube = story.events.find((e) => e.action === 'k8s.patch')!;
    expect((await a.audit.story({ seq: kube.seq })).events.map((e) => e.seq)).toEqual(story.events.map((e) => e.seq));
    const other = (await search('auditor', { action: 'k8s.get' })).events[0]!;
    const request = await a.audit.story({ seq: other.seq });
    expect(request.kind).toBe('request');
  });

  it('shows an event with its chain position, and a bundle verifies offline with the console key', async () => {
    const a = await caller('auditor');
    await recordCheckpoint(sys(), 'test');
    const one = await a.audit.event({ seq: seqs.first! + 1 });
    expect(one.chain).toMatchObject({ hashMatches: true, link: 'ok', verified: true, checkpoint: { signatureValid: true } });
    const ta = await (await caller('acmeAdmin')).audit.event({ seq: seqs.first! + 1 });
    expect(ta.chain.link).toBe('ok'); // checked through the link function, without seeing the other event

    const dir = mkdtempSync(path.join(os.tmpdir(), 'verity-bundle-'));
    const bundle = await exportAs('acmeAdmin', 'format=bundle&source=kubernetes');
    expect(bundle.status).toBe(200);
    const file = path.join(dir, 'b.ndjson');
    writeFileSync(file, bundle.text);
    const key = (await inScope(sys(), (tx) => checkpointPublicKey(tx)))!;
    const ok = await verifyBundleFile(file, key);
    expect(ok).toMatchObject({ ok: true, events: 3 });
    expect(bundle.text).not.toContain('globex-ops'); // other tenants appear as hashes only

    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const idx = lines.findIndex((l) => l.includes('"type":"event"'));
    const edited = JSON.parse(lines[idx]!);
    edited.event.actorLabel = 'someone-else';
    writeFileSync(file, [...lines.slice(0, idx), JSON.stringify(edited), ...lines.slice(idx + 1)].join('\n'));
    expect(await verifyBundleFile(file, key)).toMatchObject({ ok: false, problem: { seq: edited.event.seq, eventId: edited.event.id } });

    writeFileSync(file, lines.slice(0, -3).join('\n'));
    expect(await verifyBundleFile(file, key)).toMatchObject({ ok: false });
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    writeFileSync(file, bundle.text);
    expect(await verifyBundleFile(file, stranger)).toMatchObject({ ok: false, problem: { message: expect.stringContaining('not signed') } });
  });

  it('retention removes old events below a signed anchor; the chain still verifies; a cut tail is caught by the checkpoint', async () => {
    const walk = () => inScope(sys(), (tx) => walkChain(tx));
    expect(await walk()).toMatchObject({ ok: true });
    // The app role cannot call the removal without an anchor.
    await expect(inScope(sys(), (tx) => tx.execute(`select verity_audit_remove_through(3)` as never))).rejects.toThrow();
    // Events are kept from the first one at or after the cut-off on (seq order): the seeded
    // tenants were created "now", after the January events, so a January cut-off removes nothing.
    expect(await applyAuditRetention(sys(), { olderThan: at(7) })).toEqual({ removed: 0, throughSeq: null });
    const before = (await search('auditor', {}, 200)).events.length;
    const r = await applyAuditRetention(sys(), { olderThan: new Date(Date.now() + 1000) });
    expect(r.removed).toBeGreaterThan(0);
    expect(await walk()).toMatchObject({ ok: true, startSeq: r.throughSeq! + 1 });
    const after = await search('auditor', {}, 200);
    expect(after.events.length).toBeLessThan(before + 3);
    expect(after.events.map((e) => e.action)).toContain('audit.retention_applied');
    expect(after.events.every((e) => e.seq > r.throughSeq!)).toBe(true);
    // January's month held only removed events: dropped whole, not emptied row by row.
    const months = await inScope(sys(), (tx) => tx.execute(sql`select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_events'::regclass`));
    expect(rowsOf(months).map((m) => String(m.relname))).not.toContain('audit_events_202601');
    await expect((await caller('auditor')).audit.search({ filters: {}, limit: 1 })).resolves.toBeTruthy();
    await expect(applyAuditRetention({ ...sys(), principal: { kind: 'anonymous' } }, { olderThan: at(7) })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // Someone with the owner's rights cuts the tail and rewinds the head to match: the signed checkpoint notices.
    const cp = await recordCheckpoint(sys(), 'test');
    await t.ownerSql(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete`);
    await t.ownerSql(`DELETE FROM audit_events WHERE seq >= ${cp.seq - 1}`);
    await t.ownerSql(`UPDATE audit_chain_head SET seq = ${cp.seq - 2}, hash = (SELECT hash FROM audit_events WHERE seq = ${cp.seq - 2})`);
    expect(await walk()).toMatchObject({ ok: false, firstBreak: { kind: 'truncated' } });
  });
});
