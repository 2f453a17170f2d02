import { MfaEnrolment } from '@/components/account/mfa-enrolment';
import { SignOutEverywhere } from '@/components/account/sign-out-everywhere';
import { currentSession } from '@/server/web/current-session';

export default async function AccountPage() {
  const { resolved } = await currentSession();
  if (!resolved.ok) return null;
  return (
    <>
      <h1>Account</h1>
      <section className="card" aria-labelledby="mfa">
        <h2 id="mfa">Two-factor authentication</h2>
        <MfaEnrolment enabled={resolved.user.totpEnabled} />
      </section>
      <section className="card" aria-labelledby="sessions">
        <h2 id="sessions">Sessions</h2>
        <p className="muted small">This session ends after 30 minutes without activity, and at {resolved.session.expiresAt.toISOString().replace('T', ' ').slice(0, 16)} UTC at the latest.</p>
        <SignOutEverywhere />
      </section>
    </>
  );
}
