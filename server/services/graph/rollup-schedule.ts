// Runs the flow roll-up job (roll-up-flows.ts) every VERITY_FLOW_ROLLUP_SECONDS (default 60)
// in every console process; each cluster's lock lets one process roll a bucket, and a second
// finds it marked. First run soon after start, so a restarted console catches up at once.
import { z } from 'zod';
import type { Db } from '@/db/client';
import { jobContext, startPeriodic } from '../periodic-job';
import { rollUpFlows } from './roll-up-flows';

export const RollupScheduleConfig = z.object({ VERITY_FLOW_ROLLUP_SECONDS: z.coerce.number().int().min(5).max(3600).default(60) });

export function startFlowRollups(db: Db, env: NodeJS.ProcessEnv = process.env): () => void {
  const config = RollupScheduleConfig.parse({ VERITY_FLOW_ROLLUP_SECONDS: env.VERITY_FLOW_ROLLUP_SECONDS || undefined });
  return startPeriodic('flow roll-up', config.VERITY_FLOW_ROLLUP_SECONDS * 1000, () => rollUpFlows(jobContext(db, 'flow roll-up')), 20_000);
}
