// Quota use per tenant (issue 9's dashboards; read-only for now).
import { readQuotaOverview } from '@/server/services/quotas/read-quotas';
import { procedure, router } from '../init';

export const quotasRouter = router({
  overview: procedure.meta({ permission: 'quota:read' }).query(({ ctx }) => readQuotaOverview(ctx.svc)),
});
