// Findings, the responses to them, sleeping workloads and tenant notifications as the
// caller may see them: a security admin sees every tenant, a tenant admin only theirs
// (filtered here by permission, and again by row-level security underneath).
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '@/db/client';
import { clusters, tenants, users } from '@/db/schema';
import { abuseActions, abuseFindings, tenantNotifications, workloadSleeps } from '@/db/schema/hand-written/abuse';
import { changeRequests } from '@/db/schema/hand-written/changes';
import { holdsPermissionInTenant } from '@/server/domain/authz/decide';
import { ABUSE_RULES, type AbuseRule, RULE_TITLES, SEVERITIES, severityRank, type Severity } from '@/server/domain/abuse/model';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { conflict, notFound } from '../errors';
import { inScope } from '../scope';

/** Tenants the caller may see findings of (id → name). */
async function readableTenants(tx: Tx, ctx: ServiceContext): Promise<Map<string, { name: string; slug: string }>> {
  const p = ctx.principal;
  const rows = await tx.select({ id: tenants.id, name: tenants.name, slug: tenants.slug }).from(tenants).orderBy(tenants.name);
  return new Map(rows.filter((t) => p.kind !== 'user' || holdsPermissionInTenant({ grants: p.grants, mfaVerified: p.mfaVerified }, 'abuse:read', t.id).allowed).map((t) => [t.id, { name: t.name, slug: t.slug }]));
}

export const ListFindingsInput = z.object({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  /** The lowest severity shown. */
  severity: z.enum(SEVERITIES).optional(),
  rule: z.enum(ABUSE_RULES).optional(),
  tenantId: z.uuid().optional(),
});
export type ListFindingsInput = z.input<typeof ListFindingsInput>;

export async function listFindings(ctx: ServiceContext, raw: ListFindingsInput = {}) {
  authorize(ctx, 'abuse:read');
  const input = ListFindingsInput.parse(raw);
  return inScope(ctx, async (tx) => {
    const visible = await readableTenants(tx, ctx);
    const ids = [...visible.keys()].filter((id) => !input.tenantId || id === input.tenantId);
    if (ids.length === 0) return { findings: [], tenants: [...visible].map(([id, t]) => ({ id, ...t })) };
    const where: SQL[] = [inArray(abuseFindings.tenantId, ids)];
    if (input.status !== 'all') where.push(eq(abuseFindings.status, input.status));
    if (input.rule) where.push(eq(abuseFindings.rule, input.rule));
    if (input.severity) where.push(inArray(abuseFindings.severity, SEVERITIES.filter((s) => severityRank(s) >= severityRank(input.severity!))));
    const rows = await tx
      .select({ f: abuseFindings, cluster: clusters.name })
      .from(abuseFindings)
      .innerJoin(clusters, eq(clusters.id, abuseFindings.clusterId))
      .where(and(...where))
      .orderBy(desc(abuseFindings.lastSeenAt))
      .limit(500);
    const findings = rows
      .map(({ f, cluster }) => ({
        id: f.id,
        tenantId: f.tenantId,
        tenant: visible.get(f.tenantId)?.name ?? '',
        cluster,
        clusterId: f.clusterId,
        namespace: f.namespace,
        workload: f.workload,
        rule: f.rule as AbuseRule,
        title: RULE_TITLES[f.rule as AbuseRule] ?? f.rule,
        severity: f.severity as Severity,
        status: f.status,
        summary: f.summary,
        startedAt: f.startedAt,
        lastSeenAt: f.lastSeenAt,
        detectedAt: f.detectedAt,
      }))
      .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
    return { findings, tenants: [...visible].map(([id, t]) => ({ id, ...t })) };
  });
}

export async function getFinding(ctx: ServiceContext, raw: { id: string }) {
  authorize(ctx, 'abuse:acknowledge');
  const { id } = z.object({ id: z.uuid() }).parse(raw);
  return inScope(ctx, async (tx) => {
    const [row] = await tx.select({ f: abuseFindings, cluster: clusters.name }).from(abuseFindings).innerJoin(clusters, eq(clusters.id, abuseFindings.clusterId)).where(eq(abuseFindings.id, id));
    if (!row) throw notFound('Finding');
    authorize(ctx, 'abuse:read', { id: row.f.tenantId, label: 'Finding' });
    const [tenant] = await tx.select({ name: tenants.name, slug: tenants.slug }).from(tenants).where(eq(tenants.id, row.f.tenantId));
    const actions = await tx
      .select({ a: abuseActions, actor: users.email, changeTitle: changeRequests.title, changeStatus: changeRequests.status })
      .from(abuseActions)
      .leftJoin(users, eq(users.id, abuseActions.actorId))
      .leftJoin(changeRequests, eq(changeRequests.id, abuseActions.changeId))
      .where(eq(abuseActions.findingId, id))
      .orderBy(abuseActions.createdAt);
    const sleeps = await tx
      .select()
      .from(workloadSleeps)
      .where(and(eq(workloadSleeps.clusterId, row.f.clusterId), eq(workloadSleeps.namespace, row.f.namespace), eq(workloadSleeps.workload, row.f.workload)))
      .orderBy(desc(workloadSleeps.sleptAt))
      .limit(10);
    const p = ctx.principal;
    const can = (perm: 'abuse:respond' | 'workload:sleep') => p.kind === 'system' || (p.kind === 'user' && holdsPermissionInTenant({ grants: p.grants, mfaVerified: p.mfaVerified }, perm, row.f.tenantId).allowed);
    return {
      finding: { ...row.f, rule: row.f.rule as AbuseRule, title: RULE_TITLES[row.f.rule as AbuseRule] ?? row.f.rule, cluster: row.cluster, tenant: tenant?.name ?? '', tenantSlug: tenant?.slug ?? '' },
      actions: actions.map(({ a, actor, changeTitle, changeStatus }) => ({
        id: a.id,
        action: a.action,
        reason: a.reason,
        actor: actor ?? 'Verity (automatic)',
        createdAt: a.createdAt,
        change: a.changeId ? { id: a.changeId, title: changeTitle ?? '', status: changeStatus ?? '' } : null,
        sleepId: a.sleepId,
      })),
      sleeps: sleeps.map(sleepView),
      may: { respond: can('abuse:respond'), sleep: can('workload:sleep') },
    };
  });
}

function sleepView(s: typeof workloadSleeps.$inferSelect) {
  return {
    id: s.id,
    tenantId: s.tenantId,
    clusterId: s.clusterId,
    namespace: s.namespace,
    workload: s.workload,
    kind: s.kind,
    trigger: s.trigger,
    findingId: s.findingId,
    status: s.status,
    reason: s.reason,
    sleptAt: s.sleptAt,
    original: s.original,
    wakeReason: s.wakeReason,
    wakeRequestedAt: s.wakeRequestedAt,
    wokeAt: s.wokeAt,
    message: s.message,
  };
}

export const ListSleepsInput = z.object({ tenantId: z.uuid().optional(), current: z.boolean().default(true) });
export async function listSleeps(ctx: ServiceContext, raw: z.input<typeof ListSleepsInput> = {}) {
  authorize(ctx, 'abuse:read');
  const input = ListSleepsInput.parse(raw);
  return inScope(ctx, async (tx) => {
    const visible = await readableTenants(tx, ctx);
    const ids = [...visible.keys()].filter((id) => !input.tenantId || id === input.tenantId);
    if (ids.length === 0) return { sleeps: [] };
    const where: SQL[] = [inArray(workloadSleeps.tenantId, ids)];
    if (input.current) where.push(inArray(workloadSleeps.status, ['sleeping', 'asleep', 'waking', 'failed']));
    const rows = await tx.select({ s: workloadSleeps, cluster: clusters.name }).from(workloadSleeps).innerJoin(clusters, eq(clusters.id, workloadSleeps.clusterId)).where(and(...where)).orderBy(desc(workloadSleeps.sleptAt)).limit(200);
    const p = ctx.principal;
    return {
      sleeps: rows.map(({ s, cluster }) => ({
        ...sleepView(s),
        cluster,
        tenant: visible.get(s.tenantId)?.name ?? '',
        mayWake: p.kind === 'system' || (p.kind === 'user' && holdsPermissionInTenant({ grants: p.grants, mfaVerified: p.mfaVerified }, 'workload:sleep', s.tenantId).allowed),
      })),
    };
  });
}

export async function listNotifications(ctx: ServiceContext) {
  authorize(ctx, 'abuse:read');
  return inScope(ctx, async (tx) => {
    const visible = await readableTenants(tx, ctx);
    if (visible.size === 0) return { notifications: [] };
    const rows = await tx
      .select({ n: tenantNotifications, author: users.email })
      .from(tenantNotifications)
      .leftJoin(users, eq(users.id, tenantNotifications.createdBy))
      .where(inArray(tenantNotifications.tenantId, [...visible.keys()]))
      .orderBy(desc(tenantNotifications.createdAt))
      .limit(100);
    return { notifications: rows.map(({ n, author }) => ({ ...n, tenant: visible.get(n.tenantId)?.name ?? '', author: author ?? 'Verity' })) };
  });
}

export async function acknowledgeNotification(ctx: ServiceContext, raw: { id: string }) {
  authorize(ctx, 'abuse:acknowledge');
  const { id } = z.object({ id: z.uuid() }).parse(raw);
  return inScope(ctx, async (tx) => {
    const [n] = await tx.select().from(tenantNotifications).where(eq(tenantNotifications.id, id)).for('update');
    if (!n) throw notFound('Notification');
    authorize(ctx, 'abuse:acknowledge', { id: n.tenantId, label: 'Notification' });
    if (n.acknowledgedAt) throw conflict('The notification was already acknowledged');
    const by = ctx.principal.kind === 'user' ? ctx.principal.userId : null;
    await tx.update(tenantNotifications).set({ acknowledgedAt: ctx.now(), acknowledgedBy: by }).where(eq(tenantNotifications.id, id));
    await appendAuditEvent(tx, ctx, { action: 'abuse.notification_acknowledged', outcome: 'success', tenantId: n.tenantId, resourceType: 'notification', resourceId: id, details: { findingId: n.findingId, title: n.title } });
    return { id };
  });
}
