// Runs the flow roll-up job (roll-up-flows.ts) every VERITY_FLOW_ROLLUP_SECONDS (default 60)
// in every console process; each cluster's lock lets one process roll a bucket, and a second
// finds it marked. First run soon after start, so a restarted console catches up at once.
// With VERITY_FLOW_RETENTION_DAYS set, each run then drops the flow days older than that
// (apply-flow-retention.ts; a run that finds nothing old takes no lock).
import { z } from 'zod';
import type { Db } from '@/db/client';
import { jobContext, startPeriodic } from '../periodic-job';
import { applyFlowRetention } from './apply-flow-retention';
import { rollUpFlows } from './roll-up-flows';

export const RollupScheduleConfig = z.object({
  VERITY_FLOW_ROLLUP_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  VERITY_FLOW_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
});

export function startFlowRollups(db: Db, env: NodeJS.ProcessEnv = process.env): () => void {
  const config = RollupScheduleConfig.parse({
    VERITY_FLOW_ROLLUP_SECONDS: env.VERITY_FLOW_ROLLUP_SECONDS || undefined,
    VERITY_FLOW_RETENTION_DAYS: env.VERITY_FLOW_RETENTION_DAYS || undefined,
  });
  const days = config.VERITY_FLOW_RETENTION_DAYS;
  return startPeriodic(
    'flow roll-up',
    config.VERITY_FLOW_ROLLUP_SECONDS * 1000,
    async () => {
      await rollUpFlows(jobContext(db, 'flow roll-up'));
      if (days) await applyFlowRetention(jobContext(db, 'flow retention'), { days });
    },
    20_000,
  );
}
