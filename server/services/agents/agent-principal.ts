// Agent-only verbs take the agent principal; anything else calling them is refused.
import type { Tx } from '@/db/client';
import { ingestedBatches } from '@/db/schema';
import type { Principal, ServiceContext } from '../context';
import { forbidden } from '../errors';

export function requireAgent(ctx: ServiceContext): Extract<Principal, { kind: 'agent' }> {
  if (ctx.principal.kind !== 'agent') throw forbidden('Only an enrolled agent may call this');
  return ctx.principal;
}

/** Records a batch id; false if this agent sent it before (a retry), so it is stored once. */
export async function claimBatch(tx: Tx, agentId: string, batchId: string, kind: string, now: Date): Promise<boolean> {
  const claimed = await tx.insert(ingestedBatches).values({ agentId, batchId, kind, receivedAt: now }).onConflictDoNothing().returning({ batchId: ingestedBatches.batchId });
  return claimed.length > 0;
}
