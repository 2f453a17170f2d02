// Heartbeats keep an agent's version, driver and uplink queue state current for admins.
import { eq } from 'drizzle-orm';
import type { Heartbeat } from '@/agent/protocol/messages';
import { agents } from '@/db/schema';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { inScope } from '../scope';
import { requireAgent } from './agent-principal';

export async function recordHeartbeat(ctx: ServiceContext, input: Heartbeat) {
  const agent = requireAgent(ctx);
  await inScope(ctx, async (tx) => {
    const [before] = await tx.select({ dropped: agents.queueDropped }).from(agents).where(eq(agents.id, agent.agentId));
    await tx
      .update(agents)
      .set({ agentVersion: input.agentVersion, driver: input.driver, queuePending: input.queue.pending, queueDropped: input.queue.dropped, lastSeenAt: ctx.now() })
      .where(eq(agents.id, agent.agentId));
    // Losing data is worth a record: say when the agent's bounded queue dropped batches.
    if (before && input.queue.dropped > before.dropped) {
      await appendAuditEvent(tx, ctx, {
        action: 'agent.uplink_dropped',
        outcome: 'failure',
        source: 'agent',
        clusterId: agent.clusterId,
        resourceType: 'agent',
        resourceId: agent.agentId,
        details: { droppedBatchesTotal: input.queue.dropped, newlyDropped: input.queue.dropped - before.dropped },
      });
    }
  });
}
