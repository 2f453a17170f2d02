// Audit timeline benchmark on PostgreSQL (DATABASE_URL, a local server), in a database of
// its own that it creates and drops (verity_audit_bench):
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:audit
//   AUDIT_BENCH_EVENTS=10000000 (default) the stored-log size; AUDIT_BENCH_DAYS=90 its span;
//   AUDIT_BENCH_INGEST=200000 how many of them go through the writer while it is timed;
//   AUDIT_BENCH_KEEP=1 keeps the database afterwards (and AUDIT_BENCH_REUSE=1 queries a kept one,
//   applying any newer migrations first); AUDIT_BENCH_APPEND=N with a reused one times N more
//   events through the writer on top of what is stored (recent times, like the last ingest);
//   AUDIT_BENCH_RUNS=200 queries per set; AUDIT_BENCH_ONLY=text,tenant runs only the sets whose
//   label contains one of the words. Each figure is printed with the load average around it.
// Every stored event carries its real chained hash (hashEvent over the same content, each
// linked to the one before, from genesis). The older events are bulk-loaded: hashed in this
// process in seq order, streamed with COPY into unindexed month tables, which are then
// attached as partitions (indexes built once, triggers cloned). The newest AUDIT_BENCH_INGEST
// events then go through the real batch writer (appendAuditEvents: content built, hashed and
// chained here, inserted under the chain-head lock), on top of the full log, two writers at
// once as two agents forwarding Kubernetes audit batches would; that is the ingest figure.
// The chain is verified over sample ranges (every hash recomputed, every link checked),
// across the bulk/writer boundary and at the head; the searches run through the real
// services as an auditor and as a tenant admin (as verity_app, each first page writing its
// audit.searched).
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import { migrateDatabase, openDatabase } from '@/db/client';
import { auditChainHead, auditEvents } from '@/db/schema';
import { systemContext } from '@/db/seed/factories';
import type { AuditFilters } from '@/server/domain/audit/audit-filters';
import { createChainVerifier } from '@/server/domain/audit/verify-chain';
import { CHAINED_FIELDS, columnOf, GENESIS_HASH, hashEvent } from '@/server/domain/audit/hash-event';
import { appendAuditEvents, type AuditInput } from '@/server/services/audit/append-event';
import { rowsOf } from '@/server/services/audit/audit-query';
import { auditFacets, searchAuditEvents } from '@/server/services/audit/search-events';
import { inScope } from '@/server/services/scope';
import { chainedContent, CLUSTERS, generatedEvent, TENANTS } from './generated-audit-events';

process.env.VERITY_SECRET ??= 'bench-secret-bench-secret-bench-secret-0123';
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('Set DATABASE_URL to a local PostgreSQL server');
const TOTAL = Number(process.env.AUDIT_BENCH_EVENTS ?? 10_000_000);
const DAYS = Number(process.env.AUDIT_BENCH_DAYS ?? 90);
const KEEP = process.env.AUDIT_BENCH_KEEP === '1';
const REUSE = process.env.AUDIT_BENCH_REUSE === '1';
const INGEST = Math.min(TOTAL, Number(process.env.AUDIT_BENCH_INGEST ?? 200_000));
const RUNS = Number(process.env.AUDIT_BENCH_RUNS ?? 200);
const APPEND = REUSE ? Number(process.env.AUDIT_BENCH_APPEND ?? 0) : 0;
const ONLY = (process.env.AUDIT_BENCH_ONLY ?? '').split(',').map((w) => w.trim()).filter(Boolean);
const load = () => `load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
const BATCH = 5_000;
const WRITERS = 2;

const { default: postgres } = await import('postgres');
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const name = 'verity_audit_bench';
if (!REUSE) {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
}
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString() });
await migrateDatabase(database);
const db = database.db;
const ctx = systemContext(db, () => new Date(), 'bench');

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const day = 86_400_000;
const end = Date.now();

const eventAt = (k: number): AuditInput => generatedEvent(k, { total: TOTAL, days: DAYS, end });

const BULK = TOTAL - INGEST;
if (!REUSE) {
  // 1. Bulk load of events 1..BULK, chained from genesis.
  const t0 = performance.now();
  const months = new Set<string>();
  for (let k = 0; k < BULK; k += 10_000) months.add(eventAt(k).occurredAt!.toISOString().slice(0, 7));
  months.add(eventAt(BULK - 1).occurredAt!.toISOString().slice(0, 7));
  const monthStart = (ym: string) => `${ym}-01T00:00:00Z`;
  const nextMonth = (ym: string) => { const d = new Date(monthStart(ym)); d.setUTCMonth(d.getUTCMonth() + 1); return d.toISOString().slice(0, 7); };
  // Late events reach three days back: the month before the first one too.
  const first = new Date(eventAt(0).occurredAt!.getTime() - 4 * day).toISOString().slice(0, 7);
  months.add(first);
  const bulkSql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await bulkSql.unsafe(`create table audit_bench_stage (like audit_events including defaults including generated) partition by range (occurred_at)`);
  for (const ym of [...months].sort()) {
    const part = `audit_events_${ym.replace('-', '')}`;
    await bulkSql.unsafe(`drop table if exists ${part}`); // the migration's empty month, made again unindexed
    // With the storage setting verity_audit_ensure_partitions gives every month (migration 0017).
    await bulkSql.unsafe(`create table ${part} partition of audit_bench_stage for values from ('${monthStart(ym)}') to ('${monthStart(nextMonth(ym))}') with (autovacuum_vacuum_insert_scale_factor = 0.01)`);
  }
  const columns = [...CHAINED_FIELDS, 'hash' as const].map(columnOf);
  const copy = await bulkSql.unsafe(`copy audit_bench_stage (${columns.join(', ')}) from stdin with (format csv)`).writable();
  const cell = (v: unknown) => (v === null || v === undefined ? '' : `"${(typeof v === 'string' ? v : JSON.stringify(v)).replace(/"/g, '""')}"`);
  let prevHash = GENESIS_HASH;
  let lastReport = t0;
  for (let k = 0; k < BULK; ) {
    let chunk = '';
    for (const upto = Math.min(BULK, k + 2_000); k < upto; k++) {
      const c = chainedContent(eventAt(k), randomUUID(), k + 1, prevHash);
      const hash = hashEvent(c);
      chunk += `${CHAINED_FIELDS.map((f) => cell(f === 'occurredAt' ? c.occurredAt.toISOString() : c[f])).join(',')},${hash}\n`;
      prevHash = hash;
    }
    if (!copy.write(chunk)) await new Promise((r) => copy.once('drain', r));
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      process.stdout.write(`\rbulk load: ${k}/${BULK} events hashed and copied   `);
    }
  }
  await new Promise<void>((resolve, reject) => copy.end((err?: Error | null) => (err ? reject(err) : resolve())));
  await new Promise((r) => setTimeout(r, 100));
  const copied = performance.now();
  console.log(`\nbulk load: ${BULK} events hashed and copied in ${((copied - t0) / 1000).toFixed(0)} s`);
  await bulkSql.unsafe(`set maintenance_work_mem = '1GB'`);
  for (const ym of [...months].sort()) {
    const part = `audit_events_${ym.replace('-', '')}`;
    await bulkSql.unsafe(`alter table audit_bench_stage detach partition ${part}`);
    await bulkSql.unsafe(`alter table audit_events attach partition ${part} for values from ('${monthStart(ym)}') to ('${monthStart(nextMonth(ym))}')`);
  }
  await bulkSql.unsafe(`drop table audit_bench_stage`);
  await bulkSql.unsafe(`update audit_chain_head set seq = ${BULK}, hash = '${prevHash}' where id = 'head'`);
  // Vacuumed as well as analyzed: months this old would long since have been vacuumed by
  // autovacuum's insert trigger, which is what lets index-only scans skip their pages.
  await bulkSql.unsafe(`vacuum (analyze) audit_events`);
  await bulkSql.end();
  console.log(`bulk load: partitions attached (indexes built, triggers cloned), vacuumed and analyzed in ${((performance.now() - copied) / 1000).toFixed(0)} s`);

  // 2. Ingest of the newest events through the batch writer, timed.
  await ingest(BULK, INGEST, `on top of ${BULK} stored`);
  await db.execute(sql`analyze audit_events`);
} else if (APPEND > 0) {
  // More events through the writer on a kept log, with the times of its newest ones.
  await ingest(BULK, APPEND, `on top of the kept log`);
}

/** `count` events through the batch writer, WRITERS at once, generated from event `first` on (wrapping at TOTAL). */
async function ingest(first: number, count: number, where: string) {
  let next = 0;
  const l0 = load();
  const t1 = performance.now();
  const writer = async () => {
    for (;;) {
      const from = next;
      if (from >= count) return;
      next = Math.min(count, from + BATCH);
      const inputs: AuditInput[] = [];
      for (let j = from; j < next; j++) inputs.push(eventAt(first + (j % (TOTAL - first))));
      await inScope(ctx, (tx) => appendAuditEvents(tx, ctx, inputs));
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  const seconds = (performance.now() - t1) / 1000;
  console.log(`ingest: ${count} events through the writer in ${seconds.toFixed(1)} s = ${Math.round(count / seconds)} events/s (batches of ${BATCH}, ${WRITERS} writers, chain kept, ${where}; ${l0} before, ${load()} after)`);
}
const parts = rowsOf(await db.execute(sql`select count(*) as n from pg_inherits where inhparent = 'audit_events'::regclass`))[0]!;
console.log(`stored: ${TOTAL} events over ${DAYS} days in ${Number(parts.n)} month partitions`);

// 2. The chain: sample ranges re-verified from their predecessor's hash, and the head.
const [head] = await inScope(ctx, (tx) => tx.select().from(auditChainHead).where(eq(auditChainHead.id, 'head')));
const [last] = await inScope(ctx, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.seq, head!.seq)));
// (A kept database also holds the audit.searched events of earlier runs' searches.)
if (!last || last.hash !== head!.hash || head!.seq < TOTAL) throw new Error(`chain head ${head!.seq} does not match the last stored event`);
for (const from of [1, Math.floor(TOTAL / 2), Math.max(1, BULK - 10_000 + 1), Math.max(1, head!.seq - 20_000 + 1)]) {
  const upto = Math.min(head!.seq, from + 20_000 - 1);
  const before = from === 1 ? undefined : (await inScope(ctx, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.seq, from - 1))))[0];
  const verifier = createChainVerifier({ start: before ? { seq: before.seq, hash: before.hash } : undefined });
  const rows = await inScope(ctx, (tx) => tx.select().from(auditEvents).where(and(gt(auditEvents.seq, from - 1), lte(auditEvents.seq, upto))).orderBy(asc(auditEvents.seq)));
  for (const e of rows) {
    const broken = verifier.push(e);
    if (broken) throw new Error(`chain broken at ${broken.seq}: ${broken.message}`);
  }
  if (verifier.checked !== upto - from + 1) throw new Error(`events ${from}..${upto}: ${verifier.checked} stored`);
  console.log(`chain: events ${from}..${upto} verified (hashes recomputed, links checked)${upto === head!.seq ? ', ending at the chain head' : ''}`);
}

// 3. Searches through the real services.
const auditor = { kind: 'user' as const, userId: '00000000-0000-4000-a000-000000000001', email: 'auditor@bench', grants: [{ role: 'auditor' as const, tenantId: null }], mfaVerified: true, sessionId: null };
const tenantAdmin = { kind: 'user' as const, userId: '00000000-0000-4000-a000-000000000002', email: 'ta@bench', grants: [{ role: 'tenant_admin' as const, tenantId: TENANTS[3]! }], mfaVerified: true, sessionId: null };
const as = (p: typeof auditor | typeof tenantAdmin) => ({ db, now: () => new Date(), principal: p, client: { address: null, userAgent: null } });
const iso = (ms: number) => new Date(ms).toISOString();
const facetFilters = (i: number): AuditFilters => {
  const from = end - (1 + (i % 80)) * day;
  const base = { from: iso(from), to: iso(from + (i % 2 ? 1 : 7) * day) };
  switch (i % 6) {
    case 0: return { ...base, action: 'k8s.delete' };
    case 1: return { ...base, tenant: TENANTS[i % 20]! };
    case 2: return { ...base, actor: `user${i % 500}@example.test` };
    case 3: return { ...base, outcome: 'denied' };
    case 4: return { ...base, cluster: CLUSTERS[i % 5]!, source: 'kubernetes' };
    default: return { ...base, kind: 'secrets', action: 'k8s.get' };
  }
};
const texts = ['payments', '"payments alpha"', 'quarantine -bravo', 'rotate or escalate', 'secrets delete', 'user42@example.test', 'storefront charlie'];
const lastWeek = { range: '7d' } as const;
// Each set of queries runs twice: the first pass mostly reads pages from disk (the log is
// ~14 GB; shared_buffers here is PostgreSQL's default 128 MB), the second, the same
// queries again, finds them cached, as a console's recent range would be.
async function time(label: string, run: (i: number) => Promise<unknown>) {
  if (ONLY.length && !ONLY.some((w) => label.includes(w))) return;
  for (const pass of ['first pass', 'second pass']) {
    const l0 = load();
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      await run(i);
      ms.push(performance.now() - s);
    }
    console.log(`${label}, ${pass}: p50 ${pct(ms, 50).toFixed(1)} ms, p95 ${pct(ms, 95).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms (${RUNS} runs; ${l0} before, ${load()} after)`);
  }
}
await time('facet + time, first page (auditor)', (i) => searchAuditEvents(as(auditor), { filters: facetFilters(i), limit: 50 }));
// The tenant admin (tenant 4) filters on values their tenant's events hold. (The generator
// ties fields to the event number, so tenant 4 never deletes, for instance: such a filter
// matches nothing and reads its index's whole range; see the README.)
const tenantFacetFilters = (i: number): AuditFilters => {
  const from = end - (1 + (i % 80)) * day;
  const base = { from: iso(from), to: iso(from + (i % 2 ? 1 : 7) * day) };
  switch (i % 6) {
    case 0: return { ...base, action: 'k8s.create' };
    case 1: return { ...base, tenant: TENANTS[3]! };
    case 2: return { ...base, actor: `user${(20 * i + 3) % 500}@example.test` };
    case 3: return { ...base, outcome: 'denied' };
    case 4: return { ...base, cluster: CLUSTERS[3]!, source: 'kubernetes' };
    default: return { ...base, kind: 'secrets', action: 'k8s.create' };
  }
};
await time('facet + time, first page (tenant admin)', (i) => searchAuditEvents(as(tenantAdmin), { filters: tenantFacetFilters(i), limit: 50 }));
await time('time only, last 7 days, first page (auditor)', () => searchAuditEvents(as(auditor), { filters: lastWeek, limit: 50 }));
await time('text, last 7 days (the default range), first page (auditor)', (i) => searchAuditEvents(as(auditor), { filters: { ...lastWeek, q: texts[i % texts.length]! }, limit: 50 }));
await time('text, last 7 days, first page (tenant admin)', (i) => searchAuditEvents(as(tenantAdmin), { filters: { ...lastWeek, q: texts[i % texts.length]! }, limit: 50 }));
await time('text, whole stored range, first page (auditor)', (i) => searchAuditEvents(as(auditor), { filters: { range: 'all', q: texts[i % texts.length]! }, limit: 50 }));
// Keyset: a page 1,000 pages deep costs what the first does.
const deep = rowsOf(await db.execute(sql`select (extract(epoch from occurred_at) * 1000)::bigint as ms, seq from audit_events where occurred_at >= ${iso(end - 7 * day)}::timestamptz order by occurred_at desc, seq desc offset ${Math.min(50_000, Math.floor((TOTAL * 7) / DAYS / 2))} limit 1`))[0]!;
const cursor = `${Number(deep.ms)}.${Number(deep.seq)}`;
await time('page 1,000 by keyset, last 7 days (auditor)', () => searchAuditEvents(as(auditor), { filters: lastWeek, cursor, limit: 50 }));
await time('facet counts, facet + time (auditor)', (i) => auditFacets(as(auditor), facetFilters(i)));
await time('facet counts, facet + time (tenant admin)', (i) => auditFacets(as(tenantAdmin), tenantFacetFilters(i)));
await time('facet counts, text, last 7 days (auditor)', (i) => auditFacets(as(auditor), { ...lastWeek, q: texts[i % texts.length]! }));

await database.close();
if (!KEEP) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.end();
