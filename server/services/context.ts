// Who is acting, from where, and on which database: what every service verb receives.
// Verbs check the principal's permission on their first line (see authorize.ts).
import type { Db } from '@/db/client';
import type { Grant } from '@/server/domain/authz/decide';

export type Principal =
  | { kind: 'user'; userId: string; email: string; grants: readonly Grant[]; mfaVerified: boolean; sessionId: string | null }
  // The command line on the console's own host, which already holds the database credentials.
  | { kind: 'system'; label: string }
  // A cluster agent, authenticated by its request signature; it may only use the agent API.
  | { kind: 'agent'; agentId: string; clusterId: string; label: string }
  | { kind: 'anonymous' };

export interface ServiceContext {
  db: Db;
  now: () => Date;
  principal: Principal;
  client: { address: string | null; userAgent: string | null };
}
