// The audit trail: search with facets, the live tail, one event with its chain position, a
// change's (or any event's) story, the checkpoint key, and chain verification.
import { z } from 'zod';
import { AuditFilters } from '@/server/domain/audit/audit-filters';
import { checkpointPublicKey } from '@/server/services/audit/checkpoints';
import { auditStory } from '@/server/services/audit/event-story';
import { getAuditEvent } from '@/server/services/audit/get-event';
import { auditFacets, searchAuditEvents, tailAuditEvents } from '@/server/services/audit/search-events';
import { verifyAuditChain } from '@/server/services/audit/verify-audit-chain';
import { authorize } from '@/server/services/authorize';
import { inScope } from '@/server/services/scope';
import { procedure, router } from '../init';

export const SearchAuditInput = z.object({
  filters: AuditFilters.default({}),
  /** Keyset cursor from the previous page's nextCursor. */
  cursor: z.string().max(60).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const TailAuditInput = z.object({
  filters: AuditFilters.default({}),
  afterSeq: z.number().int().nonnegative(),
});

export const AuditStoryInput = z.union([z.object({ seq: z.number().int().positive() }), z.object({ changeId: z.string().min(1).max(100) })]);

export const auditRouter = router({
  search: procedure
    .meta({ permission: 'audit:read' })
    .input(SearchAuditInput)
    .query(({ ctx, input }) => searchAuditEvents(ctx.svc, input)),
  facets: procedure
    .meta({ permission: 'audit:read' })
    .input(z.object({ filters: AuditFilters.default({}) }))
    .query(({ ctx, input }) => auditFacets(ctx.svc, input.filters)),
  tail: procedure
    .meta({ permission: 'audit:read' })
    .input(TailAuditInput)
    .query(({ ctx, input }) => tailAuditEvents(ctx.svc, { ...input, limit: 100 })),
  event: procedure
    .meta({ permission: 'audit:read' })
    .input(z.object({ seq: z.number().int().positive() }))
    .query(({ ctx, input }) => getAuditEvent(ctx.svc, input.seq)),
  story: procedure
    .meta({ permission: 'audit:read' })
    .input(AuditStoryInput)
    .query(({ ctx, input }) => auditStory(ctx.svc, input)),
  publicKey: procedure.meta({ permission: 'audit:read' }).query(async ({ ctx }) => {
    authorize(ctx.svc, 'audit:read');
    return { publicKey: await inScope(ctx.svc, (tx) => checkpointPublicKey(tx)) };
  }),
  verify: procedure.meta({ permission: 'audit:verify' }).mutation(({ ctx }) => verifyAuditChain(ctx.svc)),
});
