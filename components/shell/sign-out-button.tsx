'use client';
import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '@/components/providers/trpc';

export function SignOutButton() {
  const trpc = useTRPC();
  // A full navigation, so no page keeps data from the ended session in memory.
  const signOut = useMutation(trpc.auth.signOut.mutationOptions({ onSettled: () => window.location.assign('/signin') }));
  return (
    <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
      Sign out
    </button>
  );
}
