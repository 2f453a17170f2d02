// What PostgreSQL alone can append to the audit log on this machine: the writer's own
// statements (chain-head lock, one json_populate_recordset insert per batch, head moved),
// fed one prepared batch over and over by WRITERS connections, with no application work
// at all (no content built, nothing hashed: the batch is serialized once). It is the
// ceiling bench:audit's ingest figure can approach, and it shows what each part of the
// table costs by taking it away:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:audit-floor
//   AUDIT_FLOOR_SECONDS=20 each measurement; AUDIT_FLOOR_WRITERS=2 connections at once.
// Each layout gets a fresh database (verity_audit_floor, dropped at the end), migrated, then
// cut down as its label says. The chain is not kept here (every batch repeats the same
// hashes), which only makes the database's work cheaper than the real writer's, not dearer.
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { migrateDatabase, openDatabase } from '@/db/client';
import { CHAINED_FIELDS, columnOf, GENESIS_HASH, hashEvent } from '@/server/domain/audit/hash-event';
import { chainedContent, generatedEvent } from './generated-audit-events';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('Set DATABASE_URL to a local PostgreSQL server');
const SECONDS = Number(process.env.AUDIT_FLOOR_SECONDS ?? 20);
const WRITERS = Number(process.env.AUDIT_FLOOR_WRITERS ?? 2);
const BATCH = 5_000;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

const { default: postgres } = await import('postgres');
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const name = 'verity_audit_floor';
const url = new URL(serverUrl);
url.pathname = `/${name}`;

// One batch in the writer's wire format (column names, one JSON parameter).
const end = Date.now();
let prevHash = GENESIS_HASH;
const rows = Array.from({ length: BATCH }, (_, k) => {
  const c = chainedContent(generatedEvent(k, { total: BATCH, days: 0.01, end }), randomUUID(), k + 1, prevHash);
  prevHash = hashEvent(c);
  return Object.fromEntries([...CHAINED_FIELDS.map((f) => [columnOf(f), c[f]]), ['hash', prevHash]]);
});
const payload = JSON.stringify(rows);
const days = `{${new Date(end).toISOString().slice(0, 10)}}`;
const columns = [...CHAINED_FIELDS.filter((f) => f !== 'seq'), 'hash' as const].map(columnOf);

const LAYOUTS: { label: string; cut: string[] }[] = [
  { label: 'as migrated (search vector, its GIN index, 7 btrees)', cut: [] },
  { label: 'without the search vector and its GIN index', cut: ['alter table audit_events alter column search drop expression', 'drop index audit_events_terms_idx'] },
  {
    label: 'also without the actor, action, kind and resource indexes',
    cut: ['alter table audit_events alter column search drop expression', 'drop index audit_events_terms_idx', ...['actor_time', 'action_time', 'kind_time', 'resource_kind'].map((i) => `drop index audit_events_${i}_idx`)],
  },
];

for (const layout of LAYOUTS) {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const database = await openDatabase({ url: url.toString() });
  await migrateDatabase(database);
  await database.close();
  const sql = postgres(url.toString(), { max: WRITERS, onnotice: () => {} });
  for (const statement of layout.cut) await sql.unsafe(statement);

  let appended = 0;
  let stopAt = 0;
  // As the writer does it: the service role, the head locked, the batch, the head moved.
  const writer = async () => {
    while (performance.now() < stopAt) {
      await sql.begin(async (tx) => {
        await tx`select set_config('role', 'verity_app', true), set_config('verity.all_tenants', 'on', true)`;
        const [head] = await tx`select seq from verity_audit_lock_head(${days}::date[])`;
        const seq = Number(head!.seq);
        await tx.unsafe(
          `insert into audit_events (seq, ${columns.join(', ')}) select $1::bigint + r.ordinality, ${columns.map((c) => `r.${c}`).join(', ')} from json_populate_recordset(null::audit_events, $2::text::json) with ordinality as r`,
          [seq, payload],
        );
        await tx`update audit_chain_head set seq = ${seq + BATCH}::bigint where id = 'head'`;
      });
      appended += BATCH;
    }
  };
  // A few seconds first, so the indexes hold more than a page and the caches are warm.
  stopAt = performance.now() + 5_000;
  await Promise.all(Array.from({ length: WRITERS }, writer));
  const [wal0] = await sql`select pg_current_wal_lsn() as lsn`;
  const l0 = load();
  appended = 0;
  const t0 = performance.now();
  stopAt = t0 + SECONDS * 1_000;
  await Promise.all(Array.from({ length: WRITERS }, writer));
  const seconds = (performance.now() - t0) / 1_000;
  const [wal] = await sql`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${wal0!.lsn}::pg_lsn) as bytes`;
  console.log(
    `${layout.label}: ${Math.round(appended / seconds)} events/s (${appended} in ${seconds.toFixed(1)} s, ${WRITERS} writers, batches of ${BATCH}; ` +
      `WAL ${Math.round(Number(wal!.bytes) / appended)} bytes/event; load ${l0} before, ${load()} after)`,
  );
  await sql.end();
}
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.end();
