import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { currentSession } from '@/server/web/current-session';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ ended?: string }> }) {
  const { resolved } = await currentSession();
  if (resolved.ok && resolved.session.stage === 'active') redirect('/');
  const { ended } = await searchParams;
  return (
    <>
      <h1>Sign in</h1>
      {ended && <p className="notice">Your session has ended. Sign in again.</p>}
      <SignInForm />
    </>
  );
}
