'use client';
// The second step of sign-in: a code from the authenticator app, or a recovery code.
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText } from '@/components/ui/status';

export function MfaForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [code, setCode] = useState('');
  const verify = useMutation(trpc.auth.verifyMfa.mutationOptions({ onSuccess: () => router.replace('/') }));
  const signOut = useMutation(trpc.auth.signOut.mutationOptions({ onSuccess: () => router.replace('/signin') }));
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        verify.mutate({ code });
      }}
    >
      <label>
        Authentication code
        <input inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} autoFocus aria-describedby="mfa-help" />
      </label>
      <p id="mfa-help" className="muted small">
        The 6-digit code from your authenticator app, or one of your recovery codes.
      </p>
      <ErrorText error={verify.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={verify.isPending}>
          {verify.isPending ? 'Checking…' : 'Verify'}
        </button>
        <button type="button" onClick={() => signOut.mutate()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
