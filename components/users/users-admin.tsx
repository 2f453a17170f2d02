'use client';
// Console users, their grants, new accounts (with their one-time setup link) and role changes.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { Empty, ErrorText, Loading } from '@/components/ui/status';
import { ROLES, type Role } from '@/server/domain/authz/permissions';

type Tenant = { id: string; name: string };

export function UsersAdmin({ canManage, tenants }: { canManage: boolean; tenants: Tenant[] }) {
  const trpc = useTRPC();
  const users = useQuery(trpc.users.list.queryOptions());
  return (
    <>
      {canManage && (
        <section className="card" aria-labelledby="new-user">
          <h2 id="new-user">New user</h2>
          <CreateUserForm tenants={tenants} />
        </section>
      )}
      <section aria-labelledby="all-users">
        <h2 id="all-users">Users</h2>
        {users.isPending ? (
          <Loading what="users" />
        ) : users.error ? (
          <ErrorText error={users.error} />
        ) : users.data.length === 0 ? (
          <Empty>No users.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Status</th>
                <th scope="col">Roles</th>
                {canManage && <th scope="col">Grant a role</th>}
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <td>
                    {u.displayName} <span className="muted">({u.email})</span> {u.isDemo && <span className="badge warn">demo</span>}
                  </td>
                  <td className="small">
                    {u.setupPending ? 'setup link not used yet' : 'active'} · MFA {u.mfaEnabled ? 'on' : 'off'}
                  </td>
                  <td>
                    <ul className="chips">
                      {u.grants.map((g) => (
                        <li key={g.id} className="chip">
                          {g.role.replace('_', ' ')} · {g.tenant?.name ?? 'all tenants'}
                          {canManage && <RevokeButton grantId={g.id} label={`${g.role} for ${u.email}`} />}
                        </li>
                      ))}
                    </ul>
                  </td>
                  {canManage && (
                    <td>
                      <GrantForm userId={u.id} tenants={tenants} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function useInvalidateUsers() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
}

function RoleAndTenant(props: { role: Role; tenantId: string; onRole: (r: Role) => void; onTenant: (t: string) => void; tenants: Tenant[]; idPrefix: string }) {
  return (
    <>
      <label>
        Role
        <select value={props.role} onChange={(e) => props.onRole(e.target.value as Role)} name={`${props.idPrefix}-role`}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r.replace('_', ' ')}
            </option>
          ))}
        </select>
      </label>
      <label>
        Scope
        <select value={props.tenantId} onChange={(e) => props.onTenant(e.target.value)} name={`${props.idPrefix}-tenant`}>
          <option value="">All tenants (global)</option>
          {props.tenants.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

function CreateUserForm({ tenants }: { tenants: Tenant[] }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [tenantId, setTenantId] = useState('');
  const create = useMutation(trpc.users.create.mutationOptions({ onSuccess: () => invalidate() }));
  return (
    <>
      <form
        className="grid-form"
        aria-label="Create user"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ email, displayName, grants: [{ role, tenantId: tenantId || null }] });
        }}
      >
        <label>
          Email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Name
          <input required value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <RoleAndTenant role={role} tenantId={tenantId} onRole={setRole} onTenant={setTenantId} tenants={tenants} idPrefix="new" />
        <div className="full">
          <ErrorText error={create.error} />
          <button type="submit" className="primary" disabled={create.isPending}>
            Create user
          </button>
        </div>
      </form>
      {create.data && (
        <div className="notice" role="status">
          <p>
            Created <strong>{create.data.user.email}</strong>. Send them this one-time setup link (valid until {create.data.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC). It is shown only now:
          </p>
          <input readOnly className="mono" value={`${window.location.origin}${create.data.setupPath}`} aria-label="Setup link" data-testid="setup-link" onFocus={(e) => e.target.select()} />
        </div>
      )}
    </>
  );
}

function GrantForm({ userId, tenants }: { userId: string; tenants: Tenant[] }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const [role, setRole] = useState<Role>('viewer');
  const [tenantId, setTenantId] = useState('');
  const grant = useMutation(trpc.users.grant.mutationOptions({ onSuccess: () => invalidate() }));
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        grant.mutate({ userId, role, tenantId: tenantId || null });
      }}
    >
      <RoleAndTenant role={role} tenantId={tenantId} onRole={setRole} onTenant={setTenantId} tenants={tenants} idPrefix={userId} />
      <button type="submit" disabled={grant.isPending}>
        Grant
      </button>
      <ErrorText error={grant.error} />
    </form>
  );
}

function RevokeButton({ grantId, label }: { grantId: string; label: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const revoke = useMutation(trpc.users.revoke.mutationOptions({ onSuccess: () => invalidate(), onError: (e) => alert(e.message) }));
  return (
    <button type="button" className="link" aria-label={`Revoke ${label}`} onClick={() => revoke.mutate({ grantId })} disabled={revoke.isPending}>
      ×
    </button>
  );
}
