// Starts a session with a fresh random token; only the token's hash is stored.
import type { Tx } from '@/db/client';
import { sessions } from '@/db/schema';
import { absoluteExpiry } from '@/server/domain/identity/session-policy';
import { hashToken, newToken } from '@/server/security/tokens';
import type { ServiceContext } from '../context';
import { sessionLimits } from './session-limits';

export async function createSession(tx: Tx, ctx: ServiceContext, userId: string, stage: 'pending' | 'active', mfaVerifiedAt: Date | null) {
  const token = newToken();
  const now = ctx.now();
  const [row] = await tx
    .insert(sessions)
    .values({
      userId,
      tokenHash: hashToken(token),
      stage,
      mfaVerifiedAt,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: absoluteExpiry(now, sessionLimits()),
      clientAddress: ctx.client.address,
      userAgent: ctx.client.userAgent?.slice(0, 300) ?? null,
    })
    .returning({ id: sessions.id, expiresAt: sessions.expiresAt });
  return { token, sessionId: row!.id, expiresAt: row!.expiresAt };
}
