// Every service transaction runs as the verity_app role with the caller's tenants set for
// row-level security, so PostgreSQL filters tenant rows again even if a query forgot to.
import { sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { tenantScope } from '@/server/domain/authz/decide';
import type { ServiceContext } from './context';

export async function inScope<T>(ctx: ServiceContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const p = ctx.principal;
  // The system and agents write cluster-wide data; users see their tenants; anonymous nothing.
  const scope = p.kind === 'user' ? tenantScope(p.grants) : p.kind === 'system' || p.kind === 'agent' ? { allTenants: true, tenantIds: [] } : { allTenants: false, tenantIds: [] };
  return inTenantScope(ctx, scope, fn);
}

/** For the auth flows, which must read a user's grants before anyone is signed in. */
export function inAuthScope<T>(ctx: ServiceContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inTenantScope(ctx, { allTenants: true, tenantIds: [] }, fn);
}

async function inTenantScope<T>(ctx: ServiceContext, scope: { allTenants: boolean; tenantIds: string[] }, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.db.transaction(async (tx) => {
    // One round trip: set_config('role', …, true) is SET LOCAL ROLE.
    await tx.execute(
      sql`select set_config('role', 'verity_app', true), set_config('verity.all_tenants', ${scope.allTenants ? 'on' : 'off'}, true), set_config('verity.tenant_ids', ${scope.tenantIds.join(',')}, true)`,
    );
    return fn(tx);
  });
}
