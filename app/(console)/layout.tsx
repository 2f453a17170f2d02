import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/shell/app-shell';
import { holdsPermission, needsMfa } from '@/server/domain/authz/decide';
import { PERMISSION_NAMES } from '@/server/domain/authz/permissions';
import { listTenants } from '@/server/services/tenants/read-tenants';
import { currentSession, pageContext } from '@/server/web/current-session';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { db, resolved } = await currentSession();
  if (!resolved.ok) redirect(resolved.reason === 'missing' || resolved.reason === 'unknown' ? '/signin' : '/signin?ended=1');
  if (resolved.session.stage === 'pending') redirect('/signin/mfa');
  const caller = { grants: resolved.grants, mfaVerified: resolved.session.mfaVerified };
  const permissions = PERMISSION_NAMES.filter((p) => holdsPermission(caller, p).allowed);
  const tenants = permissions.includes('tenant:read') ? await listTenants(pageContext(db, resolved)) : [];
  return (
    <AppShell
      user={resolved.user}
      permissions={permissions}
      tenants={tenants.map((t) => ({ slug: t.slug, name: t.name }))}
      mfaDue={needsMfa(resolved.grants) && !resolved.session.mfaVerified}
    >
      {children}
    </AppShell>
  );
}
