// Abuse findings, the graduated response and workload sleep (issue 9): thin procedures over
// the services in server/services/abuse, each declaring its permission.
import { z } from 'zod';
import { SetAbuseThresholdsInput, SetSleepPolicyInput, readAbuseSettings, setAbuseThresholds, setSleepPolicy } from '@/server/services/abuse/abuse-settings';
import { ListFindingsInput, ListSleepsInput, acknowledgeNotification, getFinding, listFindings, listNotifications, listSleeps } from '@/server/services/abuse/read-findings';
import { NotifyTenantInput, ProposeQuarantineInput, ProposeQuotaSqueezeInput, ResolveFindingInput, notifyTenant, proposeQuarantine, proposeQuotaSqueeze, resolveFinding } from '@/server/services/abuse/respond-to-finding';
import { SleepWorkloadInput, WakeWorkloadInput, sleepWorkload, wakeWorkload } from '@/server/services/abuse/sleep-workload';
import { procedure, router } from '../init';

const Id = z.object({ id: z.uuid() });

export const abuseRouter = router({
  findings: procedure.meta({ permission: 'abuse:read' }).input(ListFindingsInput).query(({ ctx, input }) => listFindings(ctx.svc, input)),
  finding: procedure.meta({ permission: 'abuse:read' }).input(Id).query(({ ctx, input }) => getFinding(ctx.svc, input)),
  sleeps: procedure.meta({ permission: 'abuse:read' }).input(ListSleepsInput).query(({ ctx, input }) => listSleeps(ctx.svc, input)),
  notifications: procedure.meta({ permission: 'abuse:read' }).query(({ ctx }) => listNotifications(ctx.svc)),
  acknowledge: procedure.meta({ permission: 'abuse:acknowledge' }).input(Id).mutation(({ ctx, input }) => acknowledgeNotification(ctx.svc, input)),
  settings: procedure.meta({ permission: 'abuse:read' }).input(z.object({ tenantId: z.uuid() })).query(({ ctx, input }) => readAbuseSettings(ctx.svc, input)),
  setThresholds: procedure.meta({ permission: 'abuse:configure' }).input(SetAbuseThresholdsInput).mutation(({ ctx, input }) => setAbuseThresholds(ctx.svc, input)),
  setSleepPolicy: procedure.meta({ permission: 'workload:sleep' }).input(SetSleepPolicyInput).mutation(({ ctx, input }) => setSleepPolicy(ctx.svc, input)),
  notify: procedure.meta({ permission: 'abuse:respond' }).input(NotifyTenantInput).mutation(({ ctx, input }) => notifyTenant(ctx.svc, input)),
  quarantine: procedure.meta({ permission: 'abuse:respond' }).input(ProposeQuarantineInput).mutation(({ ctx, input }) => proposeQuarantine(ctx.svc, input)),
  squeeze: procedure.meta({ permission: 'abuse:respond' }).input(ProposeQuotaSqueezeInput).mutation(({ ctx, input }) => proposeQuotaSqueeze(ctx.svc, input)),
  resolve: procedure.meta({ permission: 'abuse:respond' }).input(ResolveFindingInput).mutation(({ ctx, input }) => resolveFinding(ctx.svc, input)),
  sleep: procedure.meta({ permission: 'workload:sleep' }).input(SleepWorkloadInput).mutation(({ ctx, input }) => sleepWorkload(ctx.svc, input)),
  wake: procedure.meta({ permission: 'workload:sleep' }).input(WakeWorkloadInput).mutation(({ ctx, input }) => wakeWorkload(ctx.svc, input)),
});
