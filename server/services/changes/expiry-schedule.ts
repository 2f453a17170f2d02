// Runs the expiry sweeper (sweep-expiries.ts) every VERITY_EXPIRY_SWEEP_SECONDS (default
// 60) in every console process; the sweeper's advisory lock lets one of them work at a
// time, and each sweep is idempotent, so running it more often only ends grants sooner.
import { z } from 'zod';
import type { Db } from '@/db/client';
import { jobContext, startPeriodic } from '../periodic-job';
import { sweepExpiries } from './sweep-expiries';

export const ExpiryScheduleConfig = z.object({
  VERITY_EXPIRY_SWEEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
});

export function startExpirySweeper(db: Db, env: NodeJS.ProcessEnv = process.env): () => void {
  const config = ExpiryScheduleConfig.parse({ VERITY_EXPIRY_SWEEP_SECONDS: env.VERITY_EXPIRY_SWEEP_SECONDS || undefined });
  return startPeriodic('expiry sweep', config.VERITY_EXPIRY_SWEEP_SECONDS * 1000, () => sweepExpiries(jobContext(db, 'expiry sweeper')));
}
