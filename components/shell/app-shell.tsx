// The frame around every signed-in screen: navigation to the screens that exist (and that
// the caller may use), the signed-in user, the tenant switcher and sign-out.
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { Permission } from '@/server/domain/authz/permissions';
import { SignOutButton } from './sign-out-button';
import { TenantSwitcher } from './tenant-switcher';

const NAV: { href: string; label: string; permission?: Permission }[] = [
  { href: '/', label: 'Overview' },
  { href: '/tenants', label: 'Tenants', permission: 'tenant:read' },
  { href: '/clusters', label: 'Clusters', permission: 'cluster:read' },
  { href: '/graph', label: 'Traffic graph', permission: 'graph:read' },
  { href: '/changes', label: 'Changes', permission: 'change:read' },
  { href: '/quotas', label: 'Quotas', permission: 'quota:read' },
  { href: '/findings', label: 'Abuse findings', permission: 'abuse:read' },
  { href: '/admin/users', label: 'Users', permission: 'user:read' },
  { href: '/audit', label: 'Audit trail', permission: 'audit:read' },
  { href: '/account', label: 'Account' },
];

export function AppShell(props: {
  user: { email: string; displayName: string; isDemo: boolean };
  permissions: readonly Permission[];
  tenants: { slug: string; name: string }[];
  mfaDue: boolean;
  /** Changes waiting for this approver's decision. */
  inbox: number;
  children: ReactNode;
}) {
  return (
    <div className="shell">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Verity
        </Link>
        {props.user.isDemo && <span className="badge warn">DEMO ACCOUNT</span>}
        <div className="spacer" />
        <TenantSwitcher tenants={props.tenants} />
        <span className="who" title={props.user.email}>
          {props.user.displayName} <span className="muted">({props.user.email})</span>
        </span>
        <SignOutButton />
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {NAV.filter((n) => !n.permission || props.permissions.includes(n.permission)).map((n) => (
            <li key={n.href}>
              <Link href={n.href === '/changes' && props.inbox > 0 ? '/changes?view=inbox' : n.href}>
                {n.label}
                {n.href === '/changes' && props.inbox > 0 && <span className="badge count" aria-label={`${props.inbox} waiting for your decision`}> {props.inbox}</span>}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content">
        {props.mfaDue && (
          <p className="banner warn" role="status">
            Your role needs two-factor authentication before its admin or approve permissions work. <Link href="/account?enrol=1">Set it up now</Link>.
          </p>
        )}
        {props.children}
      </main>
    </div>
  );
}
