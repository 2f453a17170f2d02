import Link from 'next/link';
import { CreateTenantForm } from '@/components/tenants/create-tenant-form';
import { Empty } from '@/components/ui/status';
import { holdsPermission } from '@/server/domain/authz/decide';
import { listTenants } from '@/server/services/tenants/read-tenants';
import { currentSession, pageContext } from '@/server/web/current-session';
import { notFound } from 'next/navigation';

export default async function TenantsPage() {
  const { db, resolved } = await currentSession();
  if (!resolved.ok) return null;
  const caller = { grants: resolved.grants, mfaVerified: resolved.session.mfaVerified };
  if (!holdsPermission(caller, 'tenant:read').allowed) notFound();
  const tenants = await listTenants(pageContext(db, resolved));
  const canManage = holdsPermission(caller, 'tenant:manage').allowed;
  return (
    <>
      <h1>Tenants</h1>
      {tenants.length === 0 ? (
        <Empty>No tenants yet{canManage ? ': create the first one below.' : '.'}</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Slug</th>
              <th scope="col">Namespaces</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {tenants.map((t) => (
              <tr key={t.id}>
                <td>
                  <Link href={`/tenants/${t.slug}`}>{t.name}</Link>
                </td>
                <td>
                  <code>{t.slug}</code>
                </td>
                <td>{t.namespaces.length ? t.namespaces.map((n) => `${n.cluster}/${n.namespace}`).join(', ') : <span className="muted">none</span>}</td>
                <td className="muted">{t.createdAt.toISOString().slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canManage && (
        <section className="card" aria-labelledby="new-tenant">
          <h2 id="new-tenant">New tenant</h2>
          <CreateTenantForm />
        </section>
      )}
    </>
  );
}
