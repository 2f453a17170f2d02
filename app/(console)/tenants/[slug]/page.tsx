import { notFound } from 'next/navigation';
import { ApprovalRule } from '@/components/tenants/approval-rule';
import { Empty } from '@/components/ui/status';
import { holdsPermission } from '@/server/domain/authz/decide';
import { ServiceError } from '@/server/services/errors';
import { getTenantBySlug } from '@/server/services/tenants/read-tenants';
import { currentSession, pageContext } from '@/server/web/current-session';

export default async function TenantPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { db, resolved } = await currentSession();
  if (!resolved.ok) return null;
  // Another tenant's page, an unknown slug, or no permission: all the same 404.
  const tenant = await getTenantBySlug(pageContext(db, resolved), { slug }).catch((err) => {
    if (err instanceof ServiceError) notFound();
    throw err;
  });
  return (
    <>
      <h1>{tenant.name}</h1>
      <p className="muted">
        Tenant <code>{tenant.slug}</code>, created {tenant.createdAt.toISOString().slice(0, 10)}
      </p>
      <section className="card" aria-labelledby="ns">
        <h2 id="ns">Namespaces</h2>
        {tenant.namespaces.length === 0 ? (
          <Empty>This tenant owns no namespaces yet.</Empty>
        ) : (
          <ul>
            {tenant.namespaces.map((n) => (
              <li key={`${n.cluster}/${n.namespace}`}>
                <code>{n.namespace}</code> <span className="muted">on {n.cluster}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {holdsPermission({ grants: resolved.grants, mfaVerified: resolved.session.mfaVerified }, 'change:read').allowed && (
        <section className="card" aria-labelledby="rule">
          <h2 id="rule">Approval rule for changes</h2>
          <ApprovalRule tenantId={tenant.id} canEdit={holdsPermission({ grants: resolved.grants, mfaVerified: resolved.session.mfaVerified }, 'tenant:manage').allowed} />
        </section>
      )}
      <section className="card" aria-labelledby="members">
        <h2 id="members">People with a role in this tenant</h2>
        {tenant.members.length === 0 ? (
          <Empty>Nobody holds a role scoped to this tenant (global roles apply everywhere).</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Role</th>
              </tr>
            </thead>
            <tbody>
              {tenant.members.map((m) => (
                <tr key={m.grantId}>
                  <td>
                    {m.displayName} <span className="muted">({m.email})</span>
                  </td>
                  <td>{m.role.replace('_', ' ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
