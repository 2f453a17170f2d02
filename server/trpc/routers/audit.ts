// The audit trail: read a page of events, verify the chain.
import { z } from 'zod';
import { listAuditEvents } from '@/server/services/audit/list-events';
import { verifyAuditChain } from '@/server/services/audit/verify-audit-chain';
import { procedure, router } from '../init';

export const ListAuditEventsInput = z.object({
  /** Keyset cursor: events older than this seq. */
  cursor: z.number().int().positive().nullish(),
  limit: z.number().int().min(1).max(200).default(50),
  action: z.string().max(100).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  text: z.string().max(200).optional(),
});

export const auditRouter = router({
  list: procedure
    .meta({ permission: 'audit:read' })
    .input(ListAuditEventsInput)
    .query(({ ctx, input: { cursor, ...rest } }) => listAuditEvents(ctx.svc, { ...rest, before: cursor ?? undefined })),
  verify: procedure.meta({ permission: 'audit:verify' }).mutation(({ ctx }) => verifyAuditChain(ctx.svc)),
});
