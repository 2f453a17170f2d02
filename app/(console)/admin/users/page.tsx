import { notFound } from 'next/navigation';
import { UsersAdmin } from '@/components/users/users-admin';
import { holdsPermission } from '@/server/domain/authz/decide';
import { listTenants } from '@/server/services/tenants/read-tenants';
import { currentSession, pageContext } from '@/server/web/current-session';

export default async function UsersPage() {
  const { db, resolved } = await currentSession();
  if (!resolved.ok) return null;
  const caller = { grants: resolved.grants, mfaVerified: resolved.session.mfaVerified };
  if (!holdsPermission(caller, 'user:read').allowed) notFound();
  const tenants = await listTenants(pageContext(db, resolved));
  return (
    <>
      <h1>Users</h1>
      <UsersAdmin canManage={holdsPermission(caller, 'user:manage').allowed && holdsPermission(caller, 'grant:manage').allowed} tenants={tenants.map((t) => ({ id: t.id, name: t.name }))} />
    </>
  );
}
