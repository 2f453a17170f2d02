// Signed-in sessions and tRPC callers for tests, made through the same services the app uses.
import type { Db } from '@/db/client';
import { createSession } from '@/server/services/auth/create-session';
import { resolveSession } from '@/server/services/auth/resolve-session';
import { inAuthScope } from '@/server/services/scope';
import { systemContext } from '@/db/seed/factories';
import { appRouter } from '@/server/trpc/app-router';
import { createCallerFactory } from '@/server/trpc/init';
import type { TrpcContext } from '@/server/trpc/context';

export async function sessionToken(db: Db, userId: string, opts: { mfaVerified?: boolean; stage?: 'pending' | 'active'; now?: () => Date } = {}) {
  const ctx = systemContext(db, opts.now);
  const s = await inAuthScope(ctx, (tx) => createSession(tx, ctx, userId, opts.stage ?? 'active', opts.mfaVerified === false ? null : ctx.now()));
  return s.token;
}

const createCaller = createCallerFactory(appRouter);

export interface TestCaller {
  caller: ReturnType<typeof createCaller>;
  cookies: string[];
}

export async function callerWithToken(db: Db, token: string | undefined, opts: { now?: () => Date; address?: string } = {}): Promise<TestCaller> {
  const now = opts.now ?? (() => new Date());
  const cookies: string[] = [];
  const ctx: TrpcContext = {
    db,
    now,
    client: { address: opts.address ?? '127.0.0.1', userAgent: 'vitest' },
    session: await resolveSession(db, token, now()),
    secure: false,
    setCookie: (c) => cookies.push(c),
  };
  return { caller: createCaller(ctx), cookies };
}

export function tokenFromCookie(cookie: string | undefined): string | undefined {
  return cookie?.match(/^verity_session=([^;]*)/)?.[1] || undefined;
}
