// What every tRPC call starts with: the database, the clock, the client's address and
// agent, the session behind the cookie (if any), and a way to set the session cookie.
import type { Db } from '@/db/client';
import { resolveSession, type ResolvedSession } from '@/server/services/auth/resolve-session';
import { SESSION_COOKIE } from '@/server/services/auth/session-cookie';

export interface TrpcContext {
  db: Db;
  now: () => Date;
  client: { address: string | null; userAgent: string | null };
  session: ResolvedSession;
  /** True when the console is reached over HTTPS: cookies then carry Secure. */
  secure: boolean;
  setCookie: (cookie: string) => void;
}

export function readCookie(cookieHeader: string | null, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export async function createTrpcContext(opts: { db: Db; req: Request; resHeaders: Headers; now?: () => Date }): Promise<TrpcContext> {
  const now = opts.now ?? (() => new Date());
  const { req } = opts;
  const token = readCookie(req.headers.get('cookie'), SESSION_COOKIE);
  return {
    db: opts.db,
    now,
    client: { address: req.headers.get('x-verity-client-address'), userAgent: req.headers.get('user-agent') },
    session: await resolveSession(opts.db, token, now()),
    secure: req.headers.get('x-verity-proto') === 'https' || new URL(req.url).protocol === 'https:',
    setCookie: (cookie) => opts.resHeaders.append('set-cookie', cookie),
  };
}
