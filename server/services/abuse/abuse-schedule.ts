// Runs the abuse detection job periodically in every console process: every
// VERITY_ABUSE_DETECTION_SECONDS (default 60), first 15 s after start, so the demo's miner is
// found within a couple of minutes. The job's advisory lock lets one process run at a time.
import { z } from 'zod';
import type { Db } from '@/db/client';
import { jobContext, startPeriodic } from '../periodic-job';
import { runAbuseDetection } from './run-abuse-detection';

export const AbuseScheduleConfig = z.object({ VERITY_ABUSE_DETECTION_SECONDS: z.coerce.number().int().min(5).max(3600).default(60) });

export function startAbuseSchedule(db: Db, env: NodeJS.ProcessEnv = process.env): () => void {
  const config = AbuseScheduleConfig.parse({ VERITY_ABUSE_DETECTION_SECONDS: env.VERITY_ABUSE_DETECTION_SECONDS || undefined });
  return startPeriodic('abuse detection', config.VERITY_ABUSE_DETECTION_SECONDS * 1000, () => runAbuseDetection(jobContext(db, 'console')), 15_000);
}
