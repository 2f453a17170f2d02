// Redeems a one-time setup link: the person behind it chooses their password. The link
// works once and for a limited time; redeeming it ends any older sessions of the account.
import { and, eq, isNull } from 'drizzle-orm';
import { accountSetupTokens, sessions, users } from '@/db/schema';
import { passwordProblem } from '@/server/domain/identity/password-policy';
import { hashPassword } from '@/server/security/passwords';
import { hashToken } from '@/server/security/tokens';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { badInput } from '../errors';
import { inAuthScope } from '../scope';

export async function completeAccountSetup(ctx: ServiceContext, input: { token: string; password: string }) {
  const now = ctx.now();
  const tokenHash = hashToken(input.token);
  const found = await inAuthScope(ctx, async (tx) => {
    const [row] = await tx
      .select({ t: accountSetupTokens, email: users.email })
      .from(accountSetupTokens)
      .innerJoin(users, eq(users.id, accountSetupTokens.userId))
      .where(eq(accountSetupTokens.tokenHash, tokenHash));
    return row;
  });
  if (!found || found.t.usedAt || found.t.expiresAt <= now) {
    throw badInput('token', 'This setup link is invalid, already used or expired. Ask an administrator for a new one.');
  }
  const problem = passwordProblem(input.password, found.email);
  if (problem) throw badInput('password', problem);
  const passwordHash = await hashPassword(input.password);

  return inAuthScope(ctx, async (tx) => {
    // Marking the token used in the same statement that checks it makes a double redeem impossible.
    const claimed = await tx
      .update(accountSetupTokens)
      .set({ usedAt: now })
      .where(and(eq(accountSetupTokens.id, found.t.id), isNull(accountSetupTokens.usedAt)))
      .returning({ id: accountSetupTokens.id });
    if (claimed.length === 0) throw badInput('token', 'This setup link was already used.');
    await tx.update(users).set({ passwordHash }).where(eq(users.id, found.t.userId));
    await tx.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.userId, found.t.userId), isNull(sessions.revokedAt)));
    await appendAuditEvent(tx, ctx, {
      action: 'user.setup_completed',
      outcome: 'success',
      actor: { type: 'user', id: found.t.userId, label: found.email },
      resourceType: 'user',
      resourceId: found.t.userId,
    });
    return { email: found.email };
  });
}
