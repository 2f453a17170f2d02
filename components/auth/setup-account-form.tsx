'use client';
// Redeems a one-time setup link. The token is read from the URL fragment, which browsers
// never send to a server, and the fragment is cleared from the address bar at once.
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText } from '@/components/ui/status';

export function SetupAccountForm() {
  const trpc = useTRPC();
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const complete = useMutation(trpc.auth.completeAccountSetup.mutationOptions());

  useEffect(() => {
    const read = () => {
      const t = new URLSearchParams(window.location.hash.slice(1)).get('token');
      if (t === null && token !== undefined) return;
      setToken(t);
      complete.reset();
      if (t) history.replaceState(null, '', window.location.pathname);
    };
    read();
    // Opening a second link while this page is open changes only the fragment.
    window.addEventListener('hashchange', read);
    return () => window.removeEventListener('hashchange', read);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (token === undefined) return null;
  if (!token) return <p className="error">This page needs the setup link you were given. Ask an administrator for one.</p>;
  if (complete.isSuccess) {
    return (
      <div className="stack">
        <p>
          Your password is set for <strong>{complete.data.email}</strong>.
        </p>
        <Link className="button primary" href="/signin">
          Sign in
        </Link>
      </div>
    );
  }
  const mismatch = confirm.length > 0 && confirm !== password;
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (!mismatch) complete.mutate({ token, password });
      }}
    >
      <label>
        New password
        <input type="password" autoComplete="new-password" minLength={12} required value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
      </label>
      <label>
        Repeat it
        <input type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} aria-invalid={mismatch} />
      </label>
      <p className="muted small">At least 12 characters. A long passphrase is best.</p>
      {mismatch && <p className="error">The two passwords differ.</p>}
      <ErrorText error={complete.error} />
      <button type="submit" className="primary" disabled={complete.isPending || mismatch}>
        Set password
      </button>
    </form>
  );
}
