// The console's periodic audit work: sign a checkpoint of the chain head every
// VERITY_AUDIT_CHECKPOINT_MINUTES (default 5), create the coming month partitions once a
// day and, when VERITY_AUDIT_RETENTION_DAYS is set, apply retention once a day. Every console process may run it: a checkpoint of an
// unchanged head is skipped, and both take the chain-head lock.
import { z } from 'zod';
import type { Db } from '@/db/client';
import { applyAuditRetention } from './apply-retention';
import { recordCheckpoint } from './checkpoints';
import { prepareAuditPartitions } from './prepare-partitions';
import type { ServiceContext } from '../context';

export const AuditScheduleConfig = z.object({
  VERITY_AUDIT_CHECKPOINT_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
  VERITY_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).optional(),
});

export function startAuditSchedule(db: Db, env: NodeJS.ProcessEnv = process.env): () => void {
  const config = AuditScheduleConfig.parse({
    VERITY_AUDIT_CHECKPOINT_MINUTES: env.VERITY_AUDIT_CHECKPOINT_MINUTES || undefined,
    VERITY_AUDIT_RETENTION_DAYS: env.VERITY_AUDIT_RETENTION_DAYS || undefined,
  });
  const ctx = (): ServiceContext => ({ db, now: () => new Date(), principal: { kind: 'system', label: 'console' }, client: { address: null, userAgent: null } });
  const report = (what: string) => (err: unknown) => console.error(`audit ${what} failed:`, err instanceof Error ? err.message : err);
  const checkpoint = () => recordCheckpoint(ctx(), 'interval').catch(report('checkpoint'));
  const prepare = () => prepareAuditPartitions(ctx()).catch(report('partition preparation'));
  const timers = [setInterval(checkpoint, config.VERITY_AUDIT_CHECKPOINT_MINUTES * 60_000), setInterval(prepare, 86_400_000)];
  setTimeout(prepare, 5_000).unref();
  if (config.VERITY_AUDIT_RETENTION_DAYS) {
    const days = config.VERITY_AUDIT_RETENTION_DAYS;
    const retain = () => applyAuditRetention(ctx(), { olderThan: new Date(Date.now() - days * 86_400_000) }).catch(report('retention'));
    timers.push(setInterval(retain, 86_400_000));
    setTimeout(retain, 60_000).unref();
  }
  setTimeout(checkpoint, 10_000).unref();
  for (const t of timers) t.unref();
  return () => timers.forEach(clearInterval);
}
