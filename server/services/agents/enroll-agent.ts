// An agent trades a one-time enrollment token for an identity: its public key is stored,
// the token is spent, and the agent learns the console key that will sign its commands.
import { createPublicKey } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { EnrollRequest } from '@/agent/protocol/messages';
import { agents, clusters, enrollmentTokens } from '@/db/schema';
import { hashToken } from '@/server/security/tokens';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { badInput, unauthenticated } from '../errors';
import { inAuthScope } from '../scope';
import { consoleSigningKey } from './console-signing-key';

export async function enrollAgent(ctx: ServiceContext, input: EnrollRequest) {
  let publicKey: string;
  try {
    const key = createPublicKey(input.publicKey);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    publicKey = key.export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw badInput('publicKey', 'publicKey must be an Ed25519 public key in SPKI PEM form');
  }
  const now = ctx.now();
  const outcome = await inAuthScope(ctx, async (tx) => {
    // Spending the token and checking it are one statement: two agents racing cannot both enroll.
    const [spent] = await tx
      .update(enrollmentTokens)
      .set({ usedAt: now })
      .where(and(eq(enrollmentTokens.tokenHash, hashToken(input.token)), isNull(enrollmentTokens.usedAt)))
      .returning();
    if (!spent || spent.expiresAt <= now) {
      await appendAuditEvent(tx, ctx, { action: 'agent.enrolled', outcome: 'failure', source: 'agent', details: { reason: !spent ? 'unknown-or-used-token' : 'expired-token', driver: input.driver, hostname: input.hostname ?? null } });
      return null;
    }
    const [cluster] = await tx.select().from(clusters).where(eq(clusters.id, spent.clusterId));
    const [agent] = await tx
      .insert(agents)
      .values({ clusterId: spent.clusterId, publicKey, agentVersion: input.agentVersion, driver: input.driver, hostname: input.hostname ?? null, enrolledAt: now, lastSeenAt: now })
      .returning();
    const signing = await consoleSigningKey(tx, now);
    await appendAuditEvent(tx, ctx, {
      action: 'agent.enrolled',
      outcome: 'success',
      source: 'agent',
      clusterId: spent.clusterId,
      actor: { type: 'agent', id: agent!.id, label: `agent ${cluster!.name}` },
      resourceType: 'agent',
      resourceId: agent!.id,
      details: { cluster: cluster!.name, driver: input.driver, agentVersion: input.agentVersion, hostname: input.hostname ?? null },
    });
    return { agentId: agent!.id, clusterId: cluster!.id, clusterName: cluster!.name, consoleSigningKey: signing.publicKey };
  });
  // The failure is audited inside the transaction above; the refusal is raised after it commits.
  if (!outcome) throw unauthenticated('This enrollment token is invalid, already used or expired. Issue a new one in the console.');
  return outcome;
}
