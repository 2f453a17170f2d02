// Audit timeline benchmark on PostgreSQL (DATABASE_URL, a local server): ingest through the
// real batch writer with the hash chain kept, then search latency over a large stored log.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/audit.bench.ts
//   AUDIT_BENCH_EVENTS=10000000 (default) sets the stored-log size; AUDIT_BENCH_INGEST=200000.
// The stored log is bulk-loaded with SQL (generate_series) for speed: those rows carry filler
// hashes, so the chain is only kept (and verified) for the ingest phase.
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { migrateDatabase, openDatabase } from '@/db/client';
import { systemContext } from '@/db/seed/factories';
import { appendAuditEvents, type AuditInput } from '@/server/services/audit/append-event';
import { rowsOf } from '@/server/services/audit/audit-query';
import { auditFacets, searchAuditEvents } from '@/server/services/audit/search-events';
import { walkChain } from '@/server/services/audit/verify-audit-chain';
import { inScope } from '@/server/services/scope';

process.env.VERITY_SECRET ??= 'bench-secret-bench-secret-bench-secret-0123';
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('Set DATABASE_URL to a local PostgreSQL server');
const TOTAL = Number(process.env.AUDIT_BENCH_EVENTS ?? 10_000_000);
const INGEST = Number(process.env.AUDIT_BENCH_INGEST ?? 200_000);
const RUNS = 200;

const { default: postgres } = await import('postgres');
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const name = 'verity_audit_bench';
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString() });
await migrateDatabase(database);
const db = database.db;
const ctx = systemContext(db, () => new Date(), 'bench');

const TENANTS = Array.from({ length: 20 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
const CLUSTERS = Array.from({ length: 5 }, (_, i) => `00000000-0000-4000-9000-${String(i + 1).padStart(12, '0')}`);
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const RESOURCES = ['pods', 'deployments', 'services', 'configmaps', 'secrets', 'networkpolicies', 'rolebindings'];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

// 1. Ingest through appendAuditEvents: Kubernetes-audit-shaped events, chain kept.
const batch = (n: number, offset: number): AuditInput[] =>
  Array.from({ length: n }, (_, i) => {
    const k = offset + i;
    const verb = VERBS[k % VERBS.length]!;
    const resource = RESOURCES[k % RESOURCES.length]!;
    return {
      action: `k8s.${verb}`,
      source: 'kubernetes',
      outcome: k % 50 === 0 ? 'denied' : 'success',
      clusterId: CLUSTERS[k % CLUSTERS.length]!,
      tenantId: TENANTS[k % TENANTS.length]!,
      actor: { type: 'kube-user', id: null, label: `system:serviceaccount:ns${k % 40}:sa${k % 7}` },
      resourceType: resource,
      resourceId: `ns${k % 40}/obj-${k % 1000}`,
      clientAddress: `10.0.${k % 250}.${k % 200}`,
      userAgent: 'kubectl/v1.31',
      details: { auditID: `a-${k}`, verb, user: { username: `sa${k % 7}` }, responseStatus: { code: k % 50 === 0 ? 403 : 200 }, decision: k % 50 === 0 ? 'forbid' : 'allow' },
    };
  });
const BATCH = 2_000;
let t0 = performance.now();
for (let done = 0; done < INGEST; done += BATCH) {
  const inputs = batch(Math.min(BATCH, INGEST - done), done);
  await inScope(ctx, (tx) => appendAuditEvents(tx, ctx, inputs));
}
const ingestSeconds = (performance.now() - t0) / 1000;
const chain = await inScope(ctx, (tx) => walkChain(tx));
console.log(`ingest: ${INGEST} events in ${ingestSeconds.toFixed(1)} s = ${Math.round(INGEST / ingestSeconds)} events/s (batches of ${BATCH}); chain ${chain.ok ? 'verified' : 'BROKEN'} (${chain.checked} events)`);

// 2. Bulk-load the rest of the stored log with SQL, spread over 90 days.
const bulk = Math.max(0, TOTAL - INGEST);
t0 = performance.now();
const STEP = 500_000;
for (let from = 1; from <= bulk; from += STEP) {
  const to = Math.min(bulk, from + STEP - 1);
  await db.execute(sql.raw(`
    insert into audit_events (seq, id, occurred_at, source, cluster_id, actor_type, actor_id, actor_label, tenant_id, action, resource_type, resource_id, outcome, client_address, user_agent, details, prev_hash, hash)
    select ${INGEST} + g, gen_random_uuid(), now() - interval '90 days' + (g::float8 / ${bulk}) * interval '90 days',
      (array['kubernetes','kubernetes','kubernetes','console','agent'])[1 + g % 5],
      ('00000000-0000-4000-9000-' || lpad((1 + g % 5)::text, 12, '0'))::uuid,
      'kube-user', null, 'user' || (g % 500) || '@example.test',
      ('00000000-0000-4000-8000-' || lpad((1 + g % 20)::text, 12, '0'))::uuid,
      (array['k8s.get','k8s.list','k8s.watch','k8s.create','k8s.update','k8s.patch','k8s.delete','user.signed_in','change.submitted','agent.command_result'])[1 + g % 10],
      (array['pods','deployments','services','configmaps','secrets','networkpolicies','rolebindings'])[1 + (g / 10) % 7],
      'ns' || (g % 40) || '/obj-' || (g % 1000),
      (array['success','success','success','success','failure','denied'])[1 + (g / 7) % 6],
      '10.0.' || (g % 250) || '.' || (g % 200), 'kubectl/v1.31',
      jsonb_build_object('auditID', 'b-' || g, 'note', (array['payments','storefront','analytics','quarantine','rotate','escalate'])[1 + g % 6] || ' ' || (array['alpha','bravo','charlie','delta'])[1 + (g / 3) % 4]),
      md5(g::text) || md5((g + 1)::text), md5((g + 1)::text) || md5(g::text)
    from generate_series(${from}, ${to}) g`));
  process.stdout.write(`\rbulk load: ${to}/${bulk}`);
}
await db.execute(sql.raw(`update audit_chain_head set seq = ${INGEST + bulk}`));
await db.execute(sql`analyze audit_events`);
console.log(`\nbulk load: ${bulk} events in ${((performance.now() - t0) / 1000).toFixed(0)} s; stored log: ${INGEST + bulk} events`);

// 3. Queries through the real service (as verity_app under row-level security; the
// audit.searched row each first page writes is part of the measured time).
const admin1 = { kind: 'user' as const, userId: '00000000-0000-4000-a000-000000000001', email: 'auditor@bench', grants: [{ role: 'auditor' as const, tenantId: null }], mfaVerified: true, sessionId: null };
const tenantAdmin = { kind: 'user' as const, userId: '00000000-0000-4000-a000-000000000002', email: 'ta@bench', grants: [{ role: 'tenant_admin' as const, tenantId: TENANTS[3]! }], mfaVerified: true, sessionId: null };
const day = 86_400_000;
const now = Date.now();
const facetFilters = (i: number) => {
  const from = new Date(now - (1 + (i % 80)) * day);
  const to = new Date(from.getTime() + (i % 2 ? 1 : 7) * day);
  const base = { from: from.toISOString(), to: to.toISOString() };
  switch (i % 5) {
    case 0: return { ...base, action: 'k8s.delete' };
    case 1: return { ...base, tenant: TENANTS[i % 20]! };
    case 2: return { ...base, actor: `user${i % 500}@example.test` };
    case 3: return { ...base, outcome: 'denied' as const };
    default: return { ...base, kind: 'secrets', source: 'kubernetes' as const };
  }
};
const texts = ['payments', '"payments alpha"', 'quarantine -bravo', 'rotate or escalate', 'secrets delete', 'user42@example.test', 'storefront charlie'];
async function time(label: string, run: (i: number) => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await run(i);
    ms.push(performance.now() - s);
  }
  console.log(`${label}: p50 ${pct(ms, 50).toFixed(1)} ms, p95 ${pct(ms, 95).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms (${RUNS} runs)`);
}
const as = (p: typeof admin1 | typeof tenantAdmin) => ({ db, now: () => new Date(), principal: p, client: { address: null, userAgent: null } });
await time('facet + time, first page (auditor)', (i) => searchAuditEvents(as(admin1), { filters: facetFilters(i), limit: 50 }));
await time('facet + time, first page (tenant admin)', (i) => searchAuditEvents(as(tenantAdmin), { filters: facetFilters(i), limit: 50 }));
await time('text, first page (auditor)', (i) => searchAuditEvents(as(admin1), { filters: { q: texts[i % texts.length]! }, limit: 50 }));
await time('text + time, first page (tenant admin)', (i) => searchAuditEvents(as(tenantAdmin), { filters: { q: texts[i % texts.length]!, from: new Date(now - 30 * day).toISOString() }, limit: 50 }));
// Keyset: the 1,000th page costs what the first does.
const deep = await inScope(ctx, async (tx) => rowsOf(await tx.execute(sql`select (extract(epoch from occurred_at) * 1000)::bigint as ms, seq from audit_events order by occurred_at desc, seq desc offset 50000 limit 1`))[0]!);
const cursor = `${Number(deep.ms)}.${Number(deep.seq)}`;
await time('page 1,000 by keyset (auditor, no filter)', () => searchAuditEvents(as(admin1), { filters: {}, cursor, limit: 50 }));
await time('facet counts, facet + time (auditor, newest 10,000 matches)', (i) => auditFacets(as(admin1), facetFilters(i)));
await time('facet counts, text (auditor, newest 10,000 matches)', (i) => auditFacets(as(admin1), { q: texts[i % texts.length]! }));

await database.close();
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.end();
