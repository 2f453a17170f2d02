import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/shell/app-shell';
import { holdsPermission, needsMfa } from '@/server/domain/authz/decide';
import { PERMISSION_NAMES } from '@/server/domain/authz/permissions';
import { listChanges } from '@/server/services/changes/read-changes';
import { listTenants } from '@/server/services/tenants/read-tenants';
import { currentSession, pageContext } from '@/server/web/current-session';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { db, resolved } = await currentSession();
  if (!resolved.ok) redirect(resolved.reason === 'missing' || resolved.reason === 'unknown' ? '/signin' : '/signin?ended=1');
  if (resolved.session.stage === 'pending') redirect('/signin/mfa');
  const caller = { grants: resolved.grants, mfaVerified: resolved.session.mfaVerified };
  const permissions = PERMISSION_NAMES.filter((p) => holdsPermission(caller, p).allowed);
  const tenants = permissions.includes('tenant:read') ? await listTenants(pageContext(db, resolved)) : [];
  // The approver's inbox count in the navigation (deciding also needs MFA, so count without it).
  const inbox = resolved.grants.some((g) => g.role === 'approver') ? (await listChanges(pageContext(db, resolved), { view: 'inbox' })).length : 0;
  return (
    <AppShell
      user={resolved.user}
      permissions={permissions}
      tenants={tenants.map((t) => ({ slug: t.slug, name: t.name }))}
      mfaDue={needsMfa(resolved.grants) && !resolved.session.mfaVerified}
      inbox={inbox}
    >
      {children}
    </AppShell>
  );
}
