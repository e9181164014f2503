'use client';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { authClient } from '@/lib/auth-client';
import { useTRPC } from '@/lib/trpc';

export function AccountSummary() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.account.me.queryOptions());
  const [signingOut, setSigningOut] = useState(false);

  async function signOut() {
    setSigningOut(true);
    await authClient.signOut();
    router.push('/sign-in');
    router.refresh();
  }

  if (me.isPending) return <p className="muted">Loading your account…</p>;
  if (me.isError) {
    return (
      <p role="alert" className="error">
        Could not load your account: {me.error.message}
      </p>
    );
  }
  return (
    <section className="card">
      <h1>Hello, {me.data.name}</h1>
      <p className="muted">{me.data.email}</p>
      <h2>Credits</h2>
      <p className="balance" data-testid="balance">
        {me.data.credits.available}
      </p>
      {me.data.credits.held > 0 && (
        <p className="muted">{me.data.credits.held} held by running jobs</p>
      )}
      <p className="muted">Plan: {me.data.plan}</p>
      <button
        type="button"
        className="secondary"
        onClick={() => void signOut()}
        disabled={signingOut}
      >
        Sign out
      </button>
    </section>
  );
}
