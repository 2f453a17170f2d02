// Quota use per tenant (issue 9's dashboards): the overview, one tenant's history with its
// forecast, and proposing a quota change (a draft change request).
import { DraftQuotaChangeInput, draftQuotaChange } from '@/server/services/quotas/draft-quota-change';
import { ReadQuotaHistoryInput, readQuotaHistory } from '@/server/services/quotas/read-quota-history';
import { readQuotaOverview } from '@/server/services/quotas/read-quotas';
import { procedure, router } from '../init';

export const quotasRouter = router({
  overview: procedure.meta({ permission: 'quota:read' }).query(({ ctx }) => readQuotaOverview(ctx.svc)),
  history: procedure.meta({ permission: 'quota:read' }).input(ReadQuotaHistoryInput).query(({ ctx, input }) => readQuotaHistory(ctx.svc, input)),
  proposeChange: procedure.meta({ permission: 'tenant:manage' }).input(DraftQuotaChangeInput).mutation(({ ctx, input }) => draftQuotaChange(ctx.svc, input)),
});
