// Sign-in, the second factor, MFA enrolment, account set-up and sign-out.
import { z } from 'zod';
import { PERMISSIONS, type Permission } from '@/server/domain/authz/permissions';
import { holdsPermission, needsMfa } from '@/server/domain/authz/decide';
import { completeAccountSetup } from '@/server/services/auth/complete-account-setup';
import { clearedSessionCookie, sessionCookie } from '@/server/services/auth/session-cookie';
import { signIn } from '@/server/services/auth/sign-in';
import { signOut, signOutEverywhere } from '@/server/services/auth/sign-out';
import { beginTotpEnrolment, confirmTotpEnrolment } from '@/server/services/auth/totp-enrolment';
import { verifyMfa } from '@/server/services/auth/verify-mfa';
import { MAX_PASSWORD_LENGTH } from '@/server/domain/identity/password-policy';
import { procedure, router } from '../init';

export const SignInInput = z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });
export const MfaCodeInput = z.object({ code: z.string().trim().min(6).max(20) });
export const CompleteSetupInput = z.object({ token: z.string().min(20).max(200), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });

function maxAge(expiresAt: Date, now: Date) {
  return Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
}

export const authRouter = router({
  signIn: procedure
    .meta({ access: 'public' })
    .input(SignInInput)
    .mutation(async ({ ctx, input }) => {
      const result = await signIn(ctx.svc, input);
      ctx.setCookie(sessionCookie(result.token, ctx.secure, maxAge(result.expiresAt, ctx.now())));
      return { next: result.next };
    }),

  verifyMfa: procedure
    .meta({ access: 'mfa-pending' })
    .input(MfaCodeInput)
    .mutation(async ({ ctx, input }) => {
      const s = ctx.session.ok ? ctx.session : null;
      const result = await verifyMfa(ctx.svc, { sessionId: s!.session.id, userId: s!.user.id, code: input.code });
      ctx.setCookie(sessionCookie(result.token, ctx.secure, maxAge(result.expiresAt, ctx.now())));
      return { ok: true };
    }),

  me: procedure.meta({ access: 'any-session' }).query(({ ctx }) => {
    const s = ctx.session.ok ? ctx.session : null;
    const caller = { grants: s!.grants, mfaVerified: s!.session.mfaVerified };
    const permissions = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => holdsPermission(caller, p).allowed);
    return {
      user: s!.user,
      stage: s!.session.stage,
      mfaVerified: s!.session.mfaVerified,
      mfaDue: needsMfa(s!.grants) && !s!.user.totpEnabled,
      grants: s!.grants,
      permissions,
    };
  }),

  signOut: procedure.meta({ access: 'any-session' }).mutation(async ({ ctx }) => {
    const s = ctx.session.ok ? ctx.session : null;
    await signOut(ctx.svc, { sessionId: s!.session.id, userId: s!.user.id });
    ctx.setCookie(clearedSessionCookie(ctx.secure));
    return { ok: true };
  }),

  signOutEverywhere: procedure.meta({ access: 'own-account' }).mutation(async ({ ctx }) => {
    const s = ctx.session.ok ? ctx.session : null;
    const result = await signOutEverywhere(ctx.svc, { userId: s!.user.id });
    ctx.setCookie(clearedSessionCookie(ctx.secure));
    return result;
  }),

  beginTotpEnrolment: procedure.meta({ access: 'own-account' }).mutation(({ ctx }) => beginTotpEnrolment(ctx.svc)),

  confirmTotpEnrolment: procedure
    .meta({ access: 'own-account' })
    .input(MfaCodeInput)
    .mutation(({ ctx, input }) => confirmTotpEnrolment(ctx.svc, input)),

  completeAccountSetup: procedure
    .meta({ access: 'public' })
    .input(CompleteSetupInput)
    .mutation(({ ctx, input }) => completeAccountSetup(ctx.svc, input)),
});
