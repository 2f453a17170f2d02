// Checks a signed agent request: a known, unrevoked agent, a fresh timestamp, an unseen
// nonce and a valid signature over exactly this method, path and body. Refusals are audited.
import { and, eq, lt } from 'drizzle-orm';
import { HEADERS, MAX_SKEW_MS, bodyDigest, timestampProblem, verifyRequestSignature } from '@/agent/protocol/request-signing';
import type { Db } from '@/db/client';
import { agentNonces, agents, clusters } from '@/db/schema';
import { appendAuditEvent } from '../audit/append-event';
import type { Principal, ServiceContext } from '../context';
import { inAuthScope } from '../scope';

export type AgentAuth = { ok: true; principal: Extract<Principal, { kind: 'agent' }> } | { ok: false; status: 401; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function authenticateAgent(
  db: Db,
  req: { method: string; path: string; headers: Headers; body: string },
  now: Date,
  client: ServiceContext['client'],
): Promise<AgentAuth> {
  const agentId = req.headers.get(HEADERS.agent) ?? '';
  const timestamp = req.headers.get(HEADERS.timestamp) ?? '';
  const nonce = req.headers.get(HEADERS.nonce) ?? '';
  const signature = req.headers.get(HEADERS.signature) ?? '';
  const ctx: ServiceContext = { db, now: () => now, principal: { kind: 'anonymous' }, client };

  const refuse = async (reason: string, agent?: { id: string; clusterId: string }) => {
    await inAuthScope(ctx, (tx) =>
      appendAuditEvent(tx, ctx, {
        action: 'agent.request_rejected',
        outcome: 'denied',
        source: 'agent',
        clusterId: agent?.clusterId ?? null,
        actor: { type: 'agent', id: agent?.id ?? null, label: agentId ? `agent ${agentId.slice(0, 36)}` : 'unknown agent' },
        resourceType: 'agent_api',
        resourceId: `${req.method} ${req.path}`.slice(0, 200),
        details: { reason },
      }),
    );
    return { ok: false as const, status: 401 as const, reason };
  };

  if (!UUID.test(agentId) || !timestamp || !nonce || !signature || nonce.length > 100) return refuse('missing or malformed signature headers');
  const skew = timestampProblem(timestamp, now);
  if (skew) return refuse(skew === 'malformed' ? 'malformed timestamp' : `clock skew beyond ${MAX_SKEW_MS / 1000} s (${skew})`);

  type Checked = { principal: Extract<Principal, { kind: 'agent' }> } | { refuse: string; agent?: { id: string; clusterId: string } };
  const checked: Checked = await inAuthScope(ctx, async (tx): Promise<Checked> => {
    const [row] = await tx.select({ agent: agents, clusterName: clusters.name }).from(agents).innerJoin(clusters, eq(clusters.id, agents.clusterId)).where(eq(agents.id, agentId));
    if (!row) return { refuse: 'unknown agent' };
    const { agent } = row;
    if (agent.revokedAt) return { refuse: 'agent revoked', agent };
    const ok = verifyRequestSignature(agent.publicKey, { method: req.method, path: req.path, timestamp, nonce, bodyDigest: bodyDigest(req.body) }, signature);
    if (!ok) return { refuse: 'bad signature', agent };
    const fresh = await tx.insert(agentNonces).values({ agentId, nonce, seenAt: now }).onConflictDoNothing().returning({ nonce: agentNonces.nonce });
    if (fresh.length === 0) return { refuse: 'replayed request', agent };
    // Nonces older than twice the skew window can never be accepted again anyway.
    await tx.delete(agentNonces).where(and(eq(agentNonces.agentId, agentId), lt(agentNonces.seenAt, new Date(now.getTime() - 2 * MAX_SKEW_MS))));
    await tx.update(agents).set({ lastSeenAt: now }).where(eq(agents.id, agentId));
    return { principal: { kind: 'agent', agentId, clusterId: agent.clusterId, label: `agent ${row.clusterName}` } };
  });
  // Refusals are audited after the checking transaction, so they are recorded even though the request fails.
  return 'principal' in checked ? { ok: true, principal: checked.principal } : refuse(checked.refuse, checked.agent);
}
