// Clusters and their agents: list (scoped), register (one-time enrollment token), revoke.
import { z } from 'zod';
import { issueEnrollmentToken, registerCluster } from '@/server/services/clusters/register-cluster';
import { listClusters, revokeAgent } from '@/server/services/clusters/list-clusters';
import { procedure, router } from '../init';
import { ClusterName } from './tenants';

export const clustersRouter = router({
  list: procedure.meta({ permission: 'cluster:read' }).query(({ ctx }) => listClusters(ctx.svc)),
  register: procedure
    .meta({ permission: 'cluster:enroll' })
    .input(z.object({ name: ClusterName }))
    .mutation(({ ctx, input }) => registerCluster(ctx.svc, input)),
  issueEnrollmentToken: procedure
    .meta({ permission: 'cluster:enroll' })
    .input(z.object({ clusterId: z.uuid() }))
    .mutation(({ ctx, input }) => issueEnrollmentToken(ctx.svc, input)),
  revokeAgent: procedure
    .meta({ permission: 'cluster:enroll' })
    .input(z.object({ agentId: z.uuid() }))
    .mutation(({ ctx, input }) => revokeAgent(ctx.svc, input)),
});
