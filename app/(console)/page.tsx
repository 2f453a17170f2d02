import Link from 'next/link';
import { Empty } from '@/components/ui/status';
import { holdsPermission } from '@/server/domain/authz/decide';
import { listTenants } from '@/server/services/tenants/read-tenants';
import { currentSession, pageContext } from '@/server/web/current-session';

export default async function OverviewPage() {
  const { db, resolved } = await currentSession();
  if (!resolved.ok) return null;
  const canRead = holdsPermission({ grants: resolved.grants, mfaVerified: resolved.session.mfaVerified }, 'tenant:read').allowed;
  const tenants = canRead ? await listTenants(pageContext(db, resolved)) : [];
  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="roles">
        <h2 id="roles">Your access</h2>
        {resolved.grants.length === 0 ? (
          <Empty>You hold no roles yet. An administrator grants them under Users.</Empty>
        ) : (
          <ul className="chips">
            {resolved.grants.map((g) => (
              <li key={`${g.role}:${g.tenantId}`} className="chip">
                {g.role.replace('_', ' ')} · {g.tenantId ? (tenants.find((t) => t.id === g.tenantId)?.name ?? 'a tenant') : 'all tenants'}
              </li>
            ))}
          </ul>
        )}
        <p className="muted small">
          Two-factor authentication: {resolved.user.totpEnabled ? (resolved.session.mfaVerified ? 'on, verified for this session' : 'on') : 'not set up'}.
        </p>
      </section>
      {canRead && (
        <section aria-labelledby="tenants">
          <h2 id="tenants">Tenants</h2>
          {tenants.length === 0 ? (
            <Empty>No tenants yet.</Empty>
          ) : (
            <div className="cards">
              {tenants.map((t) => (
                <Link key={t.id} href={`/tenants/${t.slug}`} className="card tile">
                  <strong>{t.name}</strong>
                  <span className="muted small">{t.namespaces.length} namespace{t.namespaces.length === 1 ? '' : 's'}</span>
                </Link>
              ))}
            </div>
          )}
        </section>
      )}
    </>
  );
}
