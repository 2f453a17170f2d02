// Password sign-in. Throttled per account and per client address before the password is
// even checked; every attempt, good or bad, is audited (never with the password).
import { eq } from 'drizzle-orm';
import { roleGrants, users } from '@/db/schema';
import { needsMfa } from '@/server/domain/authz/decide';
import { verifyPassword } from '@/server/security/passwords';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { tooManyRequests, unauthenticated } from '../errors';
import { inAuthScope } from '../scope';
import { createSession } from './create-session';
import { clearAccountFailures, recordFailure, throttleDecision } from './throttle-store';

export interface SignInResult {
  token: string;
  expiresAt: Date;
  /** What the browser should show next. */
  next: 'mfa' | 'enrol-mfa' | 'app';
}

export async function signIn(ctx: ServiceContext, input: { email: string; password: string }): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const now = ctx.now();
  const address = ctx.client.address;

  const { throttle, user } = await inAuthScope(ctx, async (tx) => {
    const throttle = await throttleDecision(tx, email, address, now);
    const [user] = await tx.select().from(users).where(eq(users.email, email));
    return { throttle, user };
  });
  const actor = { type: 'anonymous' as const, id: user?.id ?? null, label: email };

  if (!throttle.allowed) {
    await inAuthScope(ctx, (tx) =>
      appendAuditEvent(tx, ctx, { action: 'auth.sign_in', outcome: 'denied', actor, resourceType: 'user', resourceId: user?.id, details: { reason: `throttled-${throttle.scope}` } }),
    );
    throw tooManyRequests(throttle.message);
  }

  const passwordOk = await verifyPassword(user?.passwordHash ?? null, input.password);
  if (!user || !passwordOk || user.disabledAt) {
    const reason = !user ? 'unknown-account' : !passwordOk ? 'bad-password' : 'disabled';
    await inAuthScope(ctx, async (tx) => {
      await recordFailure(tx, email, address, now);
      await appendAuditEvent(tx, ctx, { action: 'auth.sign_in', outcome: 'failure', actor, resourceType: 'user', resourceId: user?.id, details: { reason } });
    });
    throw unauthenticated('Email or password is incorrect');
  }

  return inAuthScope(ctx, async (tx) => {
    const grants = await tx.select({ role: roleGrants.role, tenantId: roleGrants.tenantId }).from(roleGrants).where(eq(roleGrants.userId, user.id));
    const enrolled = user.totpEnabledAt !== null;
    const session = await createSession(tx, ctx, user.id, enrolled ? 'pending' : 'active', null);
    await clearAccountFailures(tx, [email]);
    const next = enrolled ? 'mfa' : needsMfa(grants) ? 'enrol-mfa' : 'app';
    await appendAuditEvent(tx, ctx, {
      action: 'auth.sign_in',
      outcome: 'success',
      actor: { type: 'user', id: user.id, label: user.email },
      resourceType: 'session',
      resourceId: session.sessionId,
      details: { secondFactor: enrolled ? 'pending' : 'not-enrolled' },
    });
    return { token: session.token, expiresAt: session.expiresAt, next };
  });
}
