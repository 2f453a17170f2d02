// One-time setup links: how every account gets its password. No password is ever chosen
// by an administrator or printed; the link is shown once and only its hash is kept.
import { and, eq, isNull } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { accountSetupTokens, users } from '@/db/schema';
import { hashToken, newToken } from '@/server/security/tokens';
import { appendAuditEvent } from '../audit/append-event';
import { authorize } from '../authorize';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';
import { inScope } from '../scope';

export const SETUP_LINK_HOURS = 24;

/** The path of the page that redeems a token; the token rides in the fragment so it never reaches a server log or a Referer. */
export function setupPath(token: string): string {
  return `/setup-account#token=${token}`;
}

export async function createSetupToken(tx: Tx, ctx: ServiceContext, userId: string) {
  const now = ctx.now();
  // Only the newest link works.
  await tx.update(accountSetupTokens).set({ usedAt: now }).where(and(eq(accountSetupTokens.userId, userId), isNull(accountSetupTokens.usedAt)));
  const token = newToken();
  const expiresAt = new Date(now.getTime() + SETUP_LINK_HOURS * 3_600_000);
  await tx.insert(accountSetupTokens).values({ userId, tokenHash: hashToken(token), expiresAt, createdAt: now });
  return { setupPath: setupPath(token), expiresAt };
}

export async function issueSetupLink(ctx: ServiceContext, input: { userId: string }) {
  authorize(ctx, 'user:manage');
  return inScope(ctx, async (tx) => {
    const [user] = await tx.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, input.userId));
    if (!user) throw notFound('User');
    const link = await createSetupToken(tx, ctx, user.id);
    await appendAuditEvent(tx, ctx, { action: 'user.setup_link_issued', outcome: 'success', resourceType: 'user', resourceId: user.id, details: { email: user.email } });
    return link;
  });
}
