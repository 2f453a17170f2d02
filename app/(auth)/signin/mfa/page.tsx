import { redirect } from 'next/navigation';
import { MfaForm } from '@/components/auth/mfa-form';
import { currentSession } from '@/server/web/current-session';

export default async function MfaPage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) redirect('/signin');
  if (resolved.session.stage === 'active') redirect('/');
  return (
    <>
      <h1>Two-factor authentication</h1>
      <p className="muted">Signed in as {resolved.user.email}; one more step.</p>
      <MfaForm />
    </>
  );
}
