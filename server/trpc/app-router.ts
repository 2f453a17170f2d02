// The root router: one sub-router per domain.
import { abuseRouter } from './routers/abuse';
import { auditRouter } from './routers/audit';
import { authRouter } from './routers/auth';
import { changesRouter } from './routers/changes';
import { clustersRouter } from './routers/clusters';
import { graphRouter } from './routers/graph';
import { quotasRouter } from './routers/quotas';
import { tenantsRouter } from './routers/tenants';
import { usersRouter } from './routers/users';
import { router } from './init';

export const appRouter = router({
  auth: authRouter,
  tenants: tenantsRouter,
  users: usersRouter,
  clusters: clustersRouter,
  audit: auditRouter,
  graph: graphRouter,
  changes: changesRouter,
  quotas: quotasRouter,
  abuse: abuseRouter,
});

export type AppRouter = typeof appRouter;
