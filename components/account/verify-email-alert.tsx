'use client';
import { Loader2, MailCheck } from 'lucide-react';
import { useState } from 'react';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

/**
 * Said while the account's address is not verified: it can look around, not spend; the starter
 * credits arrive with the verification. Resend asks better-auth for a new link.
 */
export function VerifyEmailAlert({
  email,
  verified,
}: {
  email: string | undefined;
  verified: boolean | undefined;
}) {
  const [state, setState] = useState<'idle' | 'sending' | 'sent' | 'failed'>('idle');
  if (!email || verified !== false) return null;

  async function resend() {
    setState('sending');
    const { authClient } = await import('@/lib/auth-client');
    const { error } = await authClient.sendVerificationEmail({
      email: email!,
      callbackURL: '/dashboard?verified=1',
    });
    setState(error ? 'failed' : 'sent');
  }

  return (
    <Alert data-testid="verify-email">
      <MailCheck aria-hidden="true" />
      <AlertTitle>Confirm your e-mail address</AlertTitle>
      <AlertDescription>
        <p>
          We sent a link to <strong>{email}</strong>. Open it to start creating: your free starter
          credits arrive with it. Until then you can look around.
        </p>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <Button
            type="button"
            size="sm"
            variant="outline"
            disabled={state === 'sending'}
            onClick={() => void resend()}
          >
            {state === 'sending' && <Loader2 className="animate-spin" aria-hidden="true" />}
            Send the link again
          </Button>
          <span role="status" className="text-sm">
            {state === 'sent' && 'Sent. Check your inbox (and spam folder).'}
            {state === 'failed' && 'Could not send it now. Wait a minute and try again.'}
          </span>
        </div>
      </AlertDescription>
    </Alert>
  );
}
