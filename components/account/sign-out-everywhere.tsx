'use client';
import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '@/components/providers/trpc';
import { ErrorText } from '@/components/ui/status';

export function SignOutEverywhere() {
  const trpc = useTRPC();
  const m = useMutation(trpc.auth.signOutEverywhere.mutationOptions({ onSuccess: () => window.location.assign('/signin') }));
  return (
    <div className="stack">
      <p>Ends every session of your account, on every device, including this one.</p>
      <ErrorText error={m.error} />
      <button type="button" className="danger" onClick={() => m.mutate()} disabled={m.isPending}>
        Sign out everywhere
      </button>
    </div>
  );
}
