// The signed-in session for server-rendered pages, read from the request's cookie.
import { cookies } from 'next/headers';
import { getDatabase } from '@/server/database';
import { resolveSession } from '@/server/services/auth/resolve-session';
import { SESSION_COOKIE } from '@/server/services/auth/session-cookie';
import type { Principal, ServiceContext } from '@/server/services/context';
import type { SignedInSession } from '@/server/services/auth/resolve-session';

export async function currentSession() {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const { db } = await getDatabase();
  return { db, resolved: await resolveSession(db, token, new Date()) };
}

export function pageContext(db: ServiceContext['db'], s: SignedInSession): ServiceContext {
  const principal: Principal = { kind: 'user', userId: s.user.id, email: s.user.email, grants: s.grants, mfaVerified: s.session.mfaVerified, sessionId: s.session.id };
  return { db, now: () => new Date(), principal, client: { address: null, userAgent: null } };
}
