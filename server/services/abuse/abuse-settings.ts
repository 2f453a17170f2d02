// Reading and setting a tenant's abuse thresholds and its activity-based sleep policy.
// Thresholds belong to the security team (abuse:configure); the sleep opt-in belongs to
// whoever may sleep the tenant's workloads (workload:sleep), tenant admins included.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '@/db/client';
import { tenants } from '@/db/schema';
import { abuseSettings } from '@/db/schema/hand-written/abuse';
import { AbuseSettings, DEFAULT_ABUSE_SETTINGS } from '@/server/domain/abuse/thresholds';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { badInput, notFound } from '../errors';
import { inScope } from '../scope';

/** Stored settings, parsed; a stored document a newer schema no longer accepts falls back to the defaults. */
export function parseStoredSettings(stored: unknown): AbuseSettings {
  const parsed = AbuseSettings.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_ABUSE_SETTINGS;
}

export async function settingsOf(tx: Tx, tenantId: string): Promise<AbuseSettings> {
  const [row] = await tx.select({ settings: abuseSettings.settings }).from(abuseSettings).where(eq(abuseSettings.tenantId, tenantId));
  return parseStoredSettings(row?.settings);
}

async function tenantOrThrow(tx: Tx, tenantId: string) {
  const [t] = await tx.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.id, tenantId));
  if (!t) throw notFound('Tenant');
  return t;
}

export async function readAbuseSettings(ctx: ServiceContext, raw: { tenantId: string }) {
  authorize(ctx, 'abuse:read');
  const input = z.object({ tenantId: z.uuid() }).parse(raw);
  authorize(ctx, 'abuse:read', { id: input.tenantId });
  return inScope(ctx, async (tx) => {
    await tenantOrThrow(tx, input.tenantId);
    return { settings: await settingsOf(tx, input.tenantId), defaults: DEFAULT_ABUSE_SETTINGS };
  });
}

// The rule groups a caller may change: each one named is merged field by field over what the
// tenant has, so setting one threshold never resets the others to their defaults.
const THRESHOLD_GROUPS = Object.keys(AbuseSettings.shape).filter((k) => k !== 'sleep');
export const SetAbuseThresholdsInput = z.object({
  tenantId: z.uuid(),
  settings: z.object(Object.fromEntries(THRESHOLD_GROUPS.map((g) => [g, z.record(z.string(), z.unknown()).optional()]))).strict(),
});
export type SetAbuseThresholdsInput = z.input<typeof SetAbuseThresholdsInput>;

export async function setAbuseThresholds(ctx: ServiceContext, raw: SetAbuseThresholdsInput) {
  authorize(ctx, 'abuse:configure');
  const input = SetAbuseThresholdsInput.parse(raw);
  return inScope(ctx, async (tx) => {
    await tenantOrThrow(tx, input.tenantId);
    const current = await settingsOf(tx, input.tenantId);
    const merged = Object.fromEntries(Object.entries(current).map(([g, v]) => [g, { ...v, ...(input.settings as Record<string, object | undefined>)[g] }]));
    const checked = AbuseSettings.safeParse(merged);
    if (!checked.success) {
      const first = checked.error.issues[0]!;
      throw badInput(`settings.${first.path.join('.')}`, `settings.${first.path.join('.')}: ${first.message}`);
    }
    const next: AbuseSettings = { ...checked.data, sleep: current.sleep };
    await save(tx, ctx, input.tenantId, next, 'abuse.thresholds_set', { before: { ...current, sleep: undefined }, after: input.settings });
    return { settings: next };
  });
}

export const SetSleepPolicyInput = z.object({ tenantId: z.uuid(), sleep: AbuseSettings.shape.sleep });
export type SetSleepPolicyInput = z.input<typeof SetSleepPolicyInput>;

export async function setSleepPolicy(ctx: ServiceContext, raw: SetSleepPolicyInput) {
  authorize(ctx, 'workload:sleep');
  const input = SetSleepPolicyInput.parse(raw);
  authorize(ctx, 'workload:sleep', { id: input.tenantId });
  return inScope(ctx, async (tx) => {
    await tenantOrThrow(tx, input.tenantId);
    const current = await settingsOf(tx, input.tenantId);
    const next: AbuseSettings = { ...current, sleep: input.sleep };
    await save(tx, ctx, input.tenantId, next, 'abuse.sleep_policy_set', { before: current.sleep, after: input.sleep });
    return { settings: next };
  });
}

async function save(tx: Tx, ctx: ServiceContext, tenantId: string, settings: AbuseSettings, action: string, details: Record<string, unknown>) {
  const now = ctx.now();
  const by = ctx.principal.kind === 'user' ? ctx.principal.userId : null;
  await tx
    .insert(abuseSettings)
    .values({ tenantId, settings: settings as unknown as Record<string, unknown>, updatedBy: by, updatedAt: now })
    .onConflictDoUpdate({ target: abuseSettings.tenantId, set: { settings: settings as unknown as Record<string, unknown>, updatedBy: by, updatedAt: now } });
  await appendAuditEvent(tx, ctx, { action, outcome: 'success', tenantId, resourceType: 'tenant', resourceId: tenantId, details });
}
