// Ends the current session, or every session of the user ("sign out everywhere").
import { and, eq, isNull } from 'drizzle-orm';
import { sessions } from '@/db/schema';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { inAuthScope } from '../scope';

export async function signOut(ctx: ServiceContext, input: { sessionId: string; userId: string }) {
  await inAuthScope(ctx, async (tx) => {
    await tx.update(sessions).set({ revokedAt: ctx.now() }).where(and(eq(sessions.id, input.sessionId), isNull(sessions.revokedAt)));
    await appendAuditEvent(tx, ctx, { action: 'auth.sign_out', outcome: 'success', resourceType: 'session', resourceId: input.sessionId });
  });
}

export async function signOutEverywhere(ctx: ServiceContext, input: { userId: string }) {
  return inAuthScope(ctx, async (tx) => {
    const ended = await tx
      .update(sessions)
      .set({ revokedAt: ctx.now() })
      .where(and(eq(sessions.userId, input.userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    await appendAuditEvent(tx, ctx, { action: 'auth.sign_out_everywhere', outcome: 'success', resourceType: 'user', resourceId: input.userId, details: { sessionsEnded: ended.length } });
    return { sessionsEnded: ended.length };
  });
}
