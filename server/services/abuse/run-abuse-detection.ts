// The detection job: reads recent flows, usage and quota samples, runs the abuse rules per
// tenant with the tenant's thresholds, opens or refreshes findings (one open finding per
// rule and workload), and puts idle workloads of opted-in tenants to sleep. Idempotent: a
// second run over the same data changes only last-seen times. Several console processes may
// call it: a PostgreSQL advisory lock lets one run at a time and the others skip.
import { sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { decideSleep } from '@/server/domain/abuse/decide-sleep';
import { detectAbuse, lookbackMinutes } from '@/server/domain/abuse/detect-abuse';
import type { FlowRow, Finding, QuotaSample, UsagePoint, WorkloadUsageSeries } from '@/server/domain/abuse/model';
import { RULE_TITLES, workloadKey } from '@/server/domain/abuse/model';
import type { AbuseSettings } from '@/server/domain/abuse/thresholds';
import { formatQuantity } from '@/server/domain/quotas/quantity';
import { rowsOf } from '../audit/audit-query';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { forbidden } from '../errors';
import { inScope } from '../scope';
import { tryJobLock } from '../periodic-job';
import { workloadFacts } from './workload-owner';
import { parseStoredSettings } from './abuse-settings';
import { requestSleepInTx } from './sleep-workload';

/** The advisory lock key: one detection run at a time across console processes. */
const LOCK_KEY = 'verity.abuse-detection';
/** At most this many workloads are put to sleep in one run. */
const MAX_SLEEPS_PER_RUN = 20;

export interface DetectionRun {
  ran: boolean;
  opened: number;
  refreshed: number;
  slept: number;
}

export async function runAbuseDetection(ctx: ServiceContext): Promise<DetectionRun> {
  if (ctx.principal.kind !== 'system') throw forbidden('Abuse detection runs as the console itself');
  const now = ctx.now();
  return inScope(ctx, async (tx) => {
    const locked = await tryJobLock(tx, LOCK_KEY);
    if (!locked) return { ran: false, opened: 0, refreshed: 0, slept: 0 };

    const owners = rowsOf(await tx.execute(sql`select tenant_id::text as tenant_id, cluster_id::text as cluster_id, namespace from tenant_namespaces`));
    const tenantOf = new Map(owners.map((o) => [`${o.cluster_id}\0${o.namespace}`, String(o.tenant_id)]));
    const stored = rowsOf(await tx.execute(sql`select tenant_id::text as tenant_id, settings from abuse_settings`));
    const settingsByTenant = new Map(stored.map((r) => [String(r.tenant_id), parseStoredSettings(r.settings)]));
    const tenantIds = [...new Set(owners.map((o) => String(o.tenant_id)))];
    const settingsOf = (t: string) => settingsByTenant.get(t) ?? parseStoredSettings(undefined);
    if (tenantIds.length === 0) return { ran: true, opened: 0, refreshed: 0, slept: 0 };

    const all = tenantIds.map(settingsOf);
    const lookback = Math.max(...all.map(lookbackMinutes));
    const since = new Date(now.getTime() - lookback * 60_000);
    const data = await readData(tx, since, now, all);

    const tenantOfRow = (clusterId: string, namespace: string) => tenantOf.get(`${clusterId}\0${namespace}`);
    let opened = 0;
    let refreshed = 0;
    let slept = 0;
    for (const tenantId of tenantIds) {
      const settings = settingsOf(tenantId);
      const mine = (clusterId: string, namespace: string) => tenantOfRow(clusterId, namespace) === tenantId;
      const flows = data.flows.filter((f) => mine(f.clusterId, f.srcNamespace) || mine(f.clusterId, f.dstNamespace));
      const findings = detectAbuse(
        {
          flows,
          baseline: data.baseline.filter((b) => mine(b.clusterId, b.namespace) && b.firstSeen.getTime() < now.getTime() - settings.egressFanout.windowMinutes * 60_000),
          usage: data.usage.filter((u) => mine(u.clusterId, u.namespace)),
          quotas: data.quotas.filter((q) => mine(q.clusterId, q.namespace)),
          ownsNamespace: mine,
        },
        settings,
        now,
      ).filter((f) => mine(f.clusterId, f.namespace));
      for (const f of findings) {
        if (await upsertFinding(tx, ctx, tenantId, f, now)) opened += 1;
        else refreshed += 1;
      }
      if (settings.sleep.enabled && slept < MAX_SLEEPS_PER_RUN) slept += await sleepIdle(tx, ctx, tenantId, settings, data, flows, now, MAX_SLEEPS_PER_RUN - slept, mine);
    }
    return { ran: true, opened, refreshed, slept };
  });
}

interface DetectionData {
  flows: FlowRow[];
  baseline: { clusterId: string; namespace: string; workload: string; ip: string; firstSeen: Date }[];
  usage: (WorkloadUsageSeries & { kind: string })[];
  quotas: QuotaSample[];
}

async function readData(tx: Tx, since: Date, now: Date, all: AbuseSettings[]): Promise<DetectionData> {
  const flows = rowsOf(
    await tx.execute(sql`
      select cluster_id::text as cluster_id, minute, src_namespace, src_workload, src_ip, dst_namespace, dst_workload, dst_ip, port, protocol, mtls, verdict, sum(count)::float8 as count
      from flow_minutes where minute >= ${since.toISOString()}::timestamptz and minute <= ${now.toISOString()}::timestamptz
      group by cluster_id, minute, src_namespace, src_workload, src_ip, dst_namespace, dst_workload, dst_ip, port, protocol, mtls, verdict`),
  ).map(
    (r): FlowRow => ({
      clusterId: String(r.cluster_id),
      minute: new Date(r.minute as string | Date),
      srcNamespace: String(r.src_namespace),
      srcWorkload: String(r.src_workload),
      srcIp: String(r.src_ip),
      dstNamespace: String(r.dst_namespace),
      dstWorkload: String(r.dst_workload),
      dstIp: String(r.dst_ip),
      port: Number(r.port),
      protocol: String(r.protocol),
      mtls: String(r.mtls),
      verdict: String(r.verdict),
      count: Number(r.count),
    }),
  );
  // External addresses each workload reached, with the first minute seen, over the longest baseline.
  const baselineHours = Math.max(...all.map((s) => s.egressFanout.baselineHours));
  const baselineSince = new Date(now.getTime() - baselineHours * 3_600_000);
  const baseline = rowsOf(
    await tx.execute(sql`
      select cluster_id::text as cluster_id, src_namespace, src_workload, dst_ip, min(minute) as first_seen
      from flow_minutes where minute >= ${baselineSince.toISOString()}::timestamptz and dst_workload = '' and dst_ip <> '' and src_workload <> ''
      group by cluster_id, src_namespace, src_workload, dst_ip`),
  ).map((r) => ({ clusterId: String(r.cluster_id), namespace: String(r.src_namespace), workload: String(r.src_workload), ip: String(r.dst_ip), firstSeen: new Date(r.first_seen as string | Date) }));

  const usageRows = rowsOf(
    await tx.execute(sql`
      select cluster_id::text as cluster_id, namespace, workload, max(kind) as kind, minute, max(replicas)::float8 as replicas,
             max(cpu_nanocores)::float8 as cpu, max(cpu_limit_nanocores)::float8 as cpu_limit, max(memory_bytes)::float8 as memory
      from workload_usage_minutes where minute >= ${since.toISOString()}::timestamptz and minute <= ${now.toISOString()}::timestamptz
      group by cluster_id, namespace, workload, minute order by cluster_id, namespace, workload, minute`),
  );
  const usage = new Map<string, WorkloadUsageSeries & { kind: string }>();
  for (const r of usageRows) {
    const ref = { clusterId: String(r.cluster_id), namespace: String(r.namespace), workload: String(r.workload) };
    const key = workloadKey(ref);
    const series = usage.get(key) ?? { ...ref, kind: String(r.kind), points: [] as UsagePoint[] };
    series.points.push({ minute: new Date(r.minute as string | Date), cpuMillicores: Number(r.cpu) / 1e6, cpuLimitMillicores: r.cpu_limit === null ? 0 : Number(r.cpu_limit) / 1e6, memoryBytes: Number(r.memory), replicas: Number(r.replicas) });
    usage.set(key, series);
  }

  const quotaMinutes = Math.max(...all.map((s) => s.quotaPinned.minutes)) + 20;
  const quotaRows = rowsOf(
    await tx.execute(sql`
      select cluster_id::text as cluster_id, namespace, quota, minute, r.resource, r.used::text as used, r.hard::text as hard
      from quota_usage_minutes q, unnest(q.resources, q.used_nanos, q.hard_nanos) as r(resource, used, hard)
      where q.minute >= ${new Date(now.getTime() - quotaMinutes * 60_000).toISOString()}::timestamptz and q.minute <= ${now.toISOString()}::timestamptz`),
  );
  const quantity = (resource: string, nanos: string) => formatQuantity({ nanos: BigInt(nanos.split('.')[0]!), format: /memory|storage/.test(resource) ? 'BinarySI' : 'DecimalSI' });
  const quotas = quotaRows.map(
    (r): QuotaSample => ({
      at: new Date(r.minute as string | Date),
      clusterId: String(r.cluster_id),
      namespace: String(r.namespace),
      quota: String(r.quota),
      resource: String(r.resource),
      used: quantity(String(r.resource), String(r.used)),
      hard: quantity(String(r.resource), String(r.hard)),
    }),
  );
  return { flows, baseline, usage: [...usage.values()], quotas };
}

/** Opens the finding, or refreshes the open one for the same rule and workload. True when opened. */
async function upsertFinding(tx: Tx, ctx: ServiceContext, tenantId: string, f: Finding, now: Date): Promise<boolean> {
  const [row] = rowsOf(
    await tx.execute(sql`
      insert into abuse_findings (tenant_id, cluster_id, namespace, workload, rule, severity, status, summary, evidence, started_at, last_seen_at, detected_at)
      values (${tenantId}::uuid, ${f.clusterId}::uuid, ${f.namespace}, ${f.workload}, ${f.rule}, ${f.severity}, 'open', ${f.summary}, ${JSON.stringify(f.evidence)}::jsonb,
              ${f.startedAt.toISOString()}::timestamptz, ${f.lastSeenAt.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
      on conflict (cluster_id, namespace, workload, rule) where status = 'open' do update
        set severity = excluded.severity, summary = excluded.summary, evidence = excluded.evidence,
            started_at = least(abuse_findings.started_at, excluded.started_at),
            last_seen_at = greatest(abuse_findings.last_seen_at, excluded.last_seen_at)
      returning id::text as id, (xmax = 0) as inserted`),
  );
  const inserted = row?.inserted === true || row?.inserted === 't';
  if (inserted) {
    await appendAuditEvent(tx, ctx, {
      action: 'abuse.finding_opened',
      outcome: 'success',
      tenantId,
      clusterId: f.clusterId,
      resourceType: 'abuse_finding',
      resourceId: String(row!.id),
      details: { rule: f.rule, title: RULE_TITLES[f.rule], severity: f.severity, namespace: f.namespace, workload: f.workload, startedAt: f.startedAt.toISOString(), summary: f.summary },
    });
  }
  return inserted;
}

async function sleepIdle(
  tx: Tx,
  ctx: ServiceContext,
  tenantId: string,
  settings: AbuseSettings,
  data: DetectionData,
  flows: FlowRow[],
  now: Date,
  budget: number,
  mine: (clusterId: string, namespace: string) => boolean,
): Promise<number> {
  const workloads = rowsOf(await tx.execute(sql`select cluster_id::text as cluster_id, namespace, name, object from inventory_objects where kind = 'Workload'`)).filter((w) => mine(String(w.cluster_id), String(w.namespace)));
  const active = new Set(
    rowsOf(await tx.execute(sql`select cluster_id::text as cluster_id, namespace, workload from workload_sleeps where tenant_id = ${tenantId}::uuid and status in ('sleeping', 'asleep', 'waking')`)).map((r) =>
      workloadKey({ clusterId: String(r.cluster_id), namespace: String(r.namespace), workload: String(r.workload) }),
    ),
  );
  const usage = new Map(data.usage.map((u) => [workloadKey(u), u.points]));
  let slept = 0;
  for (const w of workloads) {
    if (slept >= budget) break;
    const candidate = { clusterId: String(w.cluster_id), namespace: String(w.namespace), workload: String(w.name), ...workloadFacts(w.object) };
    if (active.has(workloadKey(candidate))) continue;
    const decision = decideSleep({ candidate, settings: settings.sleep, usage: usage.get(workloadKey(candidate)) ?? [], inbound: flows, now });
    if (!decision.sleep) continue;
    await requestSleepInTx(tx, ctx, { tenantId, ...candidate, trigger: 'activity', reason: decision.reason, findingId: null });
    slept += 1;
  }
  return slept;
}
