// Turns a session cookie into the signed-in user, their grants and the session's state,
// or says why it cannot (unknown, revoked, idle too long, past its absolute expiry).
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { roleGrants, sessions, users } from '@/db/schema';
import type { Grant } from '@/server/domain/authz/decide';
import { sessionState, shouldTouch } from '@/server/domain/identity/session-policy';
import { hashToken } from '@/server/security/tokens';
import type { ServiceContext } from '../context';
import { inAuthScope } from '../scope';
import { sessionLimits } from './session-limits';

export interface SignedInSession {
  ok: true;
  session: { id: string; stage: 'pending' | 'active'; mfaVerified: boolean; expiresAt: Date };
  user: { id: string; email: string; displayName: string; isDemo: boolean; totpEnabled: boolean };
  grants: Grant[];
}
export type ResolvedSession = SignedInSession | { ok: false; reason: 'missing' | 'unknown' | 'revoked' | 'idle' | 'expired' };

export async function resolveSession(db: Db, token: string | undefined, now: Date): Promise<ResolvedSession> {
  if (!token) return { ok: false, reason: 'missing' };
  const ctx: ServiceContext = { db, now: () => now, principal: { kind: 'anonymous' }, client: { address: null, userAgent: null } };
  return inAuthScope(ctx, async (tx) => {
    const [row] = await tx
      .select({ s: sessions, u: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.tokenHash, hashToken(token)));
    if (!row) return { ok: false, reason: 'unknown' } as const;
    const state = sessionState(row.s, now, sessionLimits());
    if (!state.valid) return { ok: false, reason: state.reason } as const;
    if (row.u.disabledAt) return { ok: false, reason: 'revoked' } as const;
    if (shouldTouch(row.s.lastSeenAt, now)) await tx.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, row.s.id));
    const grants = await tx.select({ role: roleGrants.role, tenantId: roleGrants.tenantId }).from(roleGrants).where(eq(roleGrants.userId, row.u.id));
    return {
      ok: true,
      session: { id: row.s.id, stage: row.s.stage, mfaVerified: row.s.mfaVerifiedAt !== null, expiresAt: row.s.expiresAt },
      user: { id: row.u.id, email: row.u.email, displayName: row.u.displayName, isDemo: row.u.isDemo, totpEnabled: row.u.totpEnabledAt !== null },
      grants,
    } as const;
  });
}
