// Runs the expiry sweeper (sweep-expiries.ts) every VERITY_EXPIRY_SWEEP_SECONDS (default
// 60) in every console process; the sweeper's advisory lock lets one of them work at a
// time, and each sweep is idempotent, so running it more often only ends grants sooner.
import { z } from 'zod';
import type { Db } from '@/db/client';
import type { ServiceContext } from '../context';
import { sweepExpiries } from './sweep-expiries';

export const ExpiryScheduleConfig = z.object({
  VERITY_EXPIRY_SWEEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
});

export function startExpirySweeper(db: Db, env: NodeJS.ProcessEnv = process.env): () => void {
  const config = ExpiryScheduleConfig.parse({ VERITY_EXPIRY_SWEEP_SECONDS: env.VERITY_EXPIRY_SWEEP_SECONDS || undefined });
  const ctx = (): ServiceContext => ({ db, now: () => new Date(), principal: { kind: 'system', label: 'expiry sweeper' }, client: { address: null, userAgent: null } });
  let running = false;
  const sweep = async () => {
    if (running) return; // a slow sweep is not overlapped by the next tick
    running = true;
    try {
      await sweepExpiries(ctx());
    } catch (err) {
      console.error('expiry sweep failed:', err instanceof Error ? err.message : err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), config.VERITY_EXPIRY_SWEEP_SECONDS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
