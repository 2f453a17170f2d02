// Console users and their role grants.
import { z } from 'zod';
import { ROLES } from '@/server/domain/authz/permissions';
import { createUser } from '@/server/services/users/create-user';
import { grantRole, revokeGrant } from '@/server/services/users/grants';
import { issueSetupLink } from '@/server/services/users/issue-setup-link';
import { listUsers } from '@/server/services/users/list-users';
import { procedure, router } from '../init';

const RoleGrantInput = z.object({ role: z.enum(ROLES), tenantId: z.uuid().nullable() });
export const CreateUserInput = z.object({
  email: z.string().trim().email().max(254),
  displayName: z.string().trim().min(1).max(100),
  grants: z.array(RoleGrantInput).max(50).default([]),
});
export const GrantRoleInput = RoleGrantInput.extend({ userId: z.uuid() });

export const usersRouter = router({
  list: procedure.meta({ permission: 'user:read' }).query(({ ctx }) => listUsers(ctx.svc)),
  create: procedure
    .meta({ permission: 'user:manage' })
    .input(CreateUserInput)
    .mutation(({ ctx, input }) => createUser(ctx.svc, input)),
  issueSetupLink: procedure
    .meta({ permission: 'user:manage' })
    .input(z.object({ userId: z.uuid() }))
    .mutation(({ ctx, input }) => issueSetupLink(ctx.svc, input)),
  grant: procedure
    .meta({ permission: 'grant:manage' })
    .input(GrantRoleInput)
    .mutation(({ ctx, input }) => grantRole(ctx.svc, input)),
  revoke: procedure
    .meta({ permission: 'grant:manage' })
    .input(z.object({ grantId: z.uuid() }))
    .mutation(({ ctx, input }) => revokeGrant(ctx.svc, input)),
});
