// The second step of sign-in for an enrolled user: a TOTP code or a one-time recovery
// code turns the pending session into a new, fully signed-in one (a fresh token).
import { and, eq, isNull } from 'drizzle-orm';
import { recoveryCodes, sessions, users } from '@/db/schema';
import { consoleSecret } from '@/server/security/console-secret';
import { open } from '@/server/security/secret-box';
import { acceptTotp } from '@/server/security/totp';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { tooManyRequests, unauthenticated } from '../errors';
import { inAuthScope } from '../scope';
import { createSession } from './create-session';
import { hashRecoveryCode, normaliseRecoveryCode } from './recovery-codes';
import { clearAccountFailures, recordFailure, throttleDecision } from './throttle-store';

export async function verifyMfa(ctx: ServiceContext, input: { sessionId: string; userId: string; code: string }) {
  const now = ctx.now();
  const key = `mfa:${input.userId}`;
  const outcome = await inAuthScope(ctx, async (tx) => {
    const throttle = await throttleDecision(tx, key, ctx.client.address, now);
    if (!throttle.allowed) {
      await appendAuditEvent(tx, ctx, { action: 'auth.mfa_verify', outcome: 'denied', resourceType: 'user', resourceId: input.userId, details: { reason: `throttled-${throttle.scope}` } });
      return { kind: 'throttled' as const, message: throttle.message };
    }
    const [user] = await tx.select().from(users).where(eq(users.id, input.userId)).for('update');
    if (!user?.totpSecretEnc) return { kind: 'failed' as const };

    let method: 'totp' | 'recovery-code' | null = null;
    const step = acceptTotp(open(consoleSecret(), 'totp', user.totpSecretEnc), input.code.trim(), now, user.totpLastStep);
    if (step !== null) {
      await tx.update(users).set({ totpLastStep: step }).where(eq(users.id, user.id));
      method = 'totp';
    } else {
      const hash = hashRecoveryCode(normaliseRecoveryCode(input.code));
      const used = await tx
        .update(recoveryCodes)
        .set({ usedAt: now })
        .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.codeHash, hash), isNull(recoveryCodes.usedAt)))
        .returning({ id: recoveryCodes.id });
      if (used.length > 0) method = 'recovery-code';
    }
    if (!method) return { kind: 'failed' as const };

    await tx.update(sessions).set({ revokedAt: now }).where(eq(sessions.id, input.sessionId));
    const session = await createSession(tx, ctx, user.id, 'active', now);
    await clearAccountFailures(tx, [key]);
    await appendAuditEvent(tx, ctx, { action: 'auth.mfa_verify', outcome: 'success', resourceType: 'session', resourceId: session.sessionId, details: { method } });
    return { kind: 'ok' as const, token: session.token, expiresAt: session.expiresAt };
  });

  if (outcome.kind === 'throttled') throw tooManyRequests(outcome.message);
  if (outcome.kind === 'failed') {
    await inAuthScope(ctx, async (tx) => {
      await recordFailure(tx, key, ctx.client.address, now);
      await appendAuditEvent(tx, ctx, { action: 'auth.mfa_verify', outcome: 'failure', resourceType: 'user', resourceId: input.userId, details: { reason: 'bad-code' } });
    });
    throw unauthenticated('That code is not valid. Enter the current code from your authenticator app, or a recovery code.');
  }
  return { token: outcome.token, expiresAt: outcome.expiresAt };
}
