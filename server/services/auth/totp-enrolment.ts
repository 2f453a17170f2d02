// TOTP enrolment in two steps: a new secret is offered (QR code and otpauth URI) and kept
// pending; a correct code from the app confirms it, issues recovery codes once, and marks
// the current session as having passed MFA.
import { eq } from 'drizzle-orm';
import QRCode from 'qrcode';
import { recoveryCodes, sessions, users } from '@/db/schema';
import { consoleSecret } from '@/server/security/console-secret';
import { open, seal } from '@/server/security/secret-box';
import { acceptTotp, newTotpSecret, totpUri } from '@/server/security/totp';
import { appendAuditEvent } from '../audit/append-event';
import type { ServiceContext } from '../context';
import { badInput, conflict, unauthenticated } from '../errors';
import { inAuthScope } from '../scope';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes';

function signedInUser(ctx: ServiceContext) {
  if (ctx.principal.kind !== 'user') throw unauthenticated('Sign in first');
  return ctx.principal;
}

export async function beginTotpEnrolment(ctx: ServiceContext) {
  const p = signedInUser(ctx);
  const secret = newTotpSecret();
  await inAuthScope(ctx, async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, p.userId)).for('update');
    if (user?.totpEnabledAt) throw conflict('Two-factor authentication is already set up for this account');
    await tx.update(users).set({ totpPendingSecretEnc: seal(consoleSecret(), 'totp', secret) }).where(eq(users.id, p.userId));
    await appendAuditEvent(tx, ctx, { action: 'mfa.enrolment_started', outcome: 'success', resourceType: 'user', resourceId: p.userId });
  });
  const uri = totpUri(secret, p.email);
  return { uri, secret, qrDataUrl: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
}

export async function confirmTotpEnrolment(ctx: ServiceContext, input: { code: string }) {
  const p = signedInUser(ctx);
  const now = ctx.now();
  return inAuthScope(ctx, async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, p.userId)).for('update');
    if (!user) throw unauthenticated('Sign in first');
    if (user.totpEnabledAt) throw conflict('Two-factor authentication is already set up for this account');
    if (!user.totpPendingSecretEnc) throw badInput('code', 'Start the set-up again: no pending secret');
    const secret = open(consoleSecret(), 'totp', user.totpPendingSecretEnc);
    const step = acceptTotp(secret, input.code.trim(), now, null);
    if (step === null) {
      await appendAuditEvent(tx, ctx, { action: 'mfa.enrolled', outcome: 'failure', resourceType: 'user', resourceId: p.userId, details: { reason: 'bad-code' } });
      return { ok: false as const };
    }
    const codes = newRecoveryCodes();
    await tx.update(users).set({ totpSecretEnc: user.totpPendingSecretEnc, totpPendingSecretEnc: null, totpEnabledAt: now, totpLastStep: step }).where(eq(users.id, p.userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, p.userId));
    await tx.insert(recoveryCodes).values(codes.map((c) => ({ userId: p.userId, codeHash: hashRecoveryCode(c) })));
    if (p.sessionId) await tx.update(sessions).set({ mfaVerifiedAt: now }).where(eq(sessions.id, p.sessionId));
    await appendAuditEvent(tx, ctx, { action: 'mfa.enrolled', outcome: 'success', resourceType: 'user', resourceId: p.userId, details: { recoveryCodes: codes.length } });
    return { ok: true as const, recoveryCodes: codes };
  }).then((r) => {
    // Audited inside the transaction above; the error is raised after it commits.
    if (!r.ok) throw badInput('code', 'That code is not valid. Check the time on your device and enter the current code.');
    return { recoveryCodes: r.recoveryCodes };
  });
}
