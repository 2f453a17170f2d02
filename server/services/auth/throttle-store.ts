// Reads and records failed attempts for the throttle; the decision itself is pure.
import { and, eq, gte, inArray, or } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { authFailures } from '@/db/schema';
import { DEFAULT_THROTTLE, decideThrottle } from '@/server/domain/identity/throttle';

export async function throttleDecision(tx: Tx, accountKey: string, address: string | null, now: Date) {
  const since = new Date(now.getTime() - DEFAULT_THROTTLE.windowMs);
  const rows = await tx
    .select({ kind: authFailures.kind, at: authFailures.at })
    .from(authFailures)
    .where(
      and(
        gte(authFailures.at, since),
        or(and(eq(authFailures.kind, 'account'), eq(authFailures.key, accountKey)), address ? and(eq(authFailures.kind, 'address'), eq(authFailures.key, address)) : undefined),
      ),
    );
  return decideThrottle(
    rows.filter((r) => r.kind === 'account').map((r) => r.at),
    rows.filter((r) => r.kind === 'address').map((r) => r.at),
    now,
  );
}

export async function recordFailure(tx: Tx, accountKey: string, address: string | null, now: Date) {
  await tx.insert(authFailures).values([
    { kind: 'account' as const, key: accountKey, at: now },
    ...(address ? [{ kind: 'address' as const, key: address, at: now }] : []),
  ]);
}

export async function clearAccountFailures(tx: Tx, accountKeys: string[]) {
  await tx.delete(authFailures).where(and(eq(authFailures.kind, 'account'), inArray(authFailures.key, accountKeys)));
}
