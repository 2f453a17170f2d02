'use client';
// Two-factor set-up: scan the QR code (or type the secret), confirm with a code, then
// keep the recovery codes, which are shown this once.
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText } from '@/components/ui/status';

export function MfaEnrolment({ enabled }: { enabled: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [code, setCode] = useState('');
  const begin = useMutation(trpc.auth.beginTotpEnrolment.mutationOptions());
  const confirm = useMutation(trpc.auth.confirmTotpEnrolment.mutationOptions({ onSuccess: () => router.refresh() }));

  if (confirm.data) {
    return (
      <div className="stack" data-testid="recovery-codes">
        <p className="notice">Two-factor authentication is on. Keep these recovery codes somewhere safe: each works once, and they will not be shown again.</p>
        <ol className="codes">
          {confirm.data.recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
      </div>
    );
  }
  if (enabled) return <p>Two-factor authentication is on for this account.</p>;
  if (!begin.data) {
    return (
      <div className="stack">
        <p>Protect your account with an authenticator app (TOTP). Admin and approve permissions need it.</p>
        <ErrorText error={begin.error} />
        <button type="button" className="primary" onClick={() => begin.mutate()} disabled={begin.isPending}>
          Set up two-factor authentication
        </button>
      </div>
    );
  }
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        confirm.mutate({ code });
      }}
    >
      <p>Scan this code with your authenticator app, or enter the secret by hand.</p>
      {/* eslint-disable-next-line @next/next/no-img-element -- a data URL made on the server */}
      <img src={begin.data.qrDataUrl} alt="QR code for your authenticator app" width={220} height={220} className="qr" />
      <p className="small">
        Secret: <code data-testid="totp-secret">{begin.data.secret}</code>
      </p>
      <label>
        Code from the app
        <input inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} autoFocus />
      </label>
      <ErrorText error={confirm.error} />
      <button type="submit" className="primary" disabled={confirm.isPending}>
        Confirm
      </button>
    </form>
  );
}
