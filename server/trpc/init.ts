// tRPC set-up and the procedure ladder. Every procedure declares in its meta either the
// permission it needs or an explicit non-permission access level; one middleware enforces
// it and anything undeclared is denied.
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { holdsPermission, holdsPermissionInTenant } from '@/server/domain/authz/decide';
import { PERMISSIONS, type Permission } from '@/server/domain/authz/permissions';
import { appendAuditEvent } from '@/server/services/audit/append-event';
import type { Principal, ServiceContext } from '@/server/services/context';
import { ServiceError } from '@/server/services/errors';
import { inAuthScope } from '@/server/services/scope';
import type { TrpcContext } from './context';

export type Access =
  /** Anyone, signed in or not (sign-in itself, account set-up). */
  | 'public'
  /** A session that still owes its second factor. */
  | 'mfa-pending'
  /** Any session, pending or complete (sign-out, who am I). */
  | 'any-session'
  /** A complete session, for the user's own account (MFA enrolment, sign out everywhere). */
  | 'own-account';

export type Meta = { permission: Permission; access?: never } | { access: Access; permission?: never };

const t = initTRPC
  .context<TrpcContext>()
  .meta<Meta>()
  .create({
    // Dates and other non-JSON values cross the wire intact.
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const fieldErrors = cause instanceof ZodError ? cause.issues.map((i) => ({ field: i.path.join('.') || '(input)', message: i.message })) : undefined;
      const message =
        cause instanceof SyntaxError
          ? 'Malformed JSON in the request body'
          : error.code === 'INTERNAL_SERVER_ERROR'
          ? 'Internal error. It has been logged; try again or contact your administrator.'
          : fieldErrors
            ? `Invalid input: ${fieldErrors.map((f) => `${f.field}: ${f.message}`).join('; ')}`
            : shape.message;
      // No stack, no cause: nothing about the server's insides reaches the browser.
      return {
        message,
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          fieldErrors: fieldErrors ?? (cause instanceof ServiceError && cause.field ? [{ field: cause.field, message: cause.message }] : null),
        },
      };
    },
  });

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

/** Service errors become their tRPC code; anything else stays INTERNAL_SERVER_ERROR. */
const mapServiceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ServiceError) {
    throw new TRPCError({ code: result.error.cause.code, message: result.error.cause.message, cause: result.error.cause });
  }
  return result;
});

function serviceContext(ctx: TrpcContext, principal: Principal): ServiceContext {
  return { db: ctx.db, now: ctx.now, principal, client: ctx.client };
}

async function auditDenied(ctx: TrpcContext, principal: Principal, path: string, reason: string) {
  await inAuthScope(serviceContext(ctx, principal), (tx) =>
    appendAuditEvent(tx, serviceContext(ctx, principal), { action: 'authz.denied', outcome: 'denied', resourceType: 'procedure', resourceId: path, details: { reason } }),
  );
}

const enforceAccess = t.middleware(async ({ ctx, meta, path, next }) => {
  const s = ctx.session;
  const signedIn = s.ok ? s : null;
  const principal: Principal = signedIn
    ? { kind: 'user', userId: signedIn.user.id, email: signedIn.user.email, grants: signedIn.grants, mfaVerified: signedIn.session.mfaVerified, sessionId: signedIn.session.id }
    : { kind: 'anonymous' };
  const pass = () => next({ ctx: { ...ctx, principal, svc: serviceContext(ctx, principal) } });
  const needSession = () => {
    const expired = !s.ok && (s.reason === 'idle' || s.reason === 'expired' || s.reason === 'revoked');
    return new TRPCError({ code: 'UNAUTHORIZED', message: expired ? 'Your session has ended. Sign in again.' : 'Sign in first.' });
  };

  if (!meta || (!meta.permission && !meta.access)) {
    // Undeclared means denied: a procedure someone forgot to annotate is unreachable.
    throw new TRPCError({ code: 'FORBIDDEN', message: 'This operation declares no permission and is denied' });
  }
  if (meta.access === 'public') return pass();
  if (!signedIn) throw needSession();
  if (meta.access === 'any-session') return pass();
  if (meta.access === 'mfa-pending') {
    if (signedIn.session.stage !== 'pending') throw new TRPCError({ code: 'BAD_REQUEST', message: 'This session is not waiting for a second factor' });
    return pass();
  }
  if (signedIn.session.stage !== 'active') throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Enter your two-factor code to finish signing in.' });
  if (meta.access === 'own-account') return pass();

  const decision = holdsPermission({ grants: signedIn.grants, mfaVerified: signedIn.session.mfaVerified }, meta.permission!);
  if (!decision.allowed) {
    await auditDenied(ctx, principal, path, decision.reason);
    throw new TRPCError({
      code: 'FORBIDDEN',
      message:
        decision.reason === 'mfa-required'
          ? `${PERMISSIONS[meta.permission!].description} needs two-factor authentication. Set it up under Account, then try again.`
          : `You do not have the ${meta.permission} permission`,
    });
  }
  return pass();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const procedure = t.procedure.use(mapServiceErrors).use(enforceAccess);

/**
 * For procedures on one tenant: the input carries `tenantId`, and a caller who holds the
 * permission but not in that tenant is told it does not exist (404), never 403.
 */
export const tenantProcedure = procedure.use(async ({ ctx, meta, getRawInput, next }) => {
  // Runs before the procedure's own input parsing, so it reads the raw input itself.
  const tenantId = ((await getRawInput()) as { tenantId?: unknown } | undefined)?.tenantId;
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid input: tenantId: must be a tenant id (UUID)' });
  }
  if (ctx.principal.kind !== 'user' || !meta?.permission) throw new TRPCError({ code: 'FORBIDDEN', message: 'Tenant procedures need a permission' });
  const decision = holdsPermissionInTenant({ grants: ctx.principal.grants, mfaVerified: ctx.principal.mfaVerified }, meta.permission, tenantId);
  if (!decision.allowed) throw new TRPCError({ code: 'NOT_FOUND', message: 'Tenant was not found' });
  return next();
});
