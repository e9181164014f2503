'use client';
import { Loader2 } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import { useForm, type Resolver } from 'react-hook-form';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import {
  Form,
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from '@/components/ui/form';
import { Input } from '@/components/ui/input';
import { PASSWORD_MIN_LENGTH, passwordWeakness } from '@/server/auth/password-policy';

function Heading({ title, body }: { title: string; body: string }) {
  return (
    <div className="grid gap-2 text-center">
      <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
      <p className="text-sm text-muted-foreground">{body}</p>
    </div>
  );
}

// As on sign-in: zod and the schema load on first submit, not with the page.
const forgotResolver: Resolver<{ email: string }> = async (values, ctx, opts) => {
  const [{ zodResolver }, { forgotPasswordSchema }] = await Promise.all([
    import('@hookform/resolvers/zod'),
    import('./auth-schemas'),
  ]);
  return zodResolver(forgotPasswordSchema)(values, ctx, opts);
};

/** Asks for a reset link. The answer never says whether the address has an account. */
export function ForgotPasswordForm({ email = '' }: { email?: string }) {
  const form = useForm<{ email: string }>({ resolver: forgotResolver, defaultValues: { email } });
  const [state, setState] = useState<'idle' | 'sent' | 'failed'>('idle');
  const pending = form.formState.isSubmitting;

  async function onSubmit(v: { email: string }) {
    const { authClient } = await import('@/lib/auth-client');
    const { error } = await authClient.requestPasswordReset({
      email: v.email.trim(),
      redirectTo: '/reset-password',
    });
    setState(error ? 'failed' : 'sent');
  }

  return (
    <div className="grid gap-6">
      <Heading
        title="Reset your password"
        body="Tell us your address and we will mail you a link to choose a new password."
      />
      <Form {...form}>
        <form
          noValidate
          onSubmit={(e) => void form.handleSubmit(onSubmit)(e)}
          className="grid gap-4"
        >
          <FormField
            control={form.control}
            name="email"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Email</FormLabel>
                <FormControl>
                  <Input {...field} type="email" autoComplete="email" inputMode="email" />
                </FormControl>
                <FormMessage />
              </FormItem>
            )}
          />
          {state === 'sent' && (
            <Alert role="status">
              <AlertDescription>
                If an account uses this address, a link is on its way. It works for one hour.
              </AlertDescription>
            </Alert>
          )}
          {state === 'failed' && (
            <Alert variant="destructive" role="alert">
              <AlertDescription>
                Could not send it now. Wait a minute and try again.
              </AlertDescription>
            </Alert>
          )}
          <Button type="submit" size="lg" disabled={pending}>
            {pending && <Loader2 className="animate-spin" aria-hidden="true" />}
            Send me a link
          </Button>
        </form>
      </Form>
      <p className="text-center text-sm text-muted-foreground">
        Remembered it?{' '}
        <Link href="/sign-in" className="font-medium text-primary underline">
          Sign in
        </Link>
      </p>
    </div>
  );
}

/** Sets the new password with the token from the mailed link (better-auth checks it once). */
export function ResetPasswordForm({ token, error }: { token?: string; error?: string }) {
  const form = useForm<{ password: string }>({ defaultValues: { password: '' } });
  const [state, setState] = useState<'idle' | 'done' | 'failed'>(
    error || !token ? 'failed' : 'idle',
  );
  const pending = form.formState.isSubmitting;

  async function onSubmit(v: { password: string }) {
    const { authClient } = await import('@/lib/auth-client');
    const res = await authClient.resetPassword({ newPassword: v.password, token: token! });
    setState(res.error ? 'failed' : 'done');
  }

  if (state === 'done') {
    return (
      <div className="grid gap-6">
        <Heading title="Password changed" body="Sign in with your new password." />
        <Button asChild size="lg">
          <Link href="/sign-in">Sign in</Link>
        </Button>
      </div>
    );
  }
  return (
    <div className="grid gap-6">
      <Heading title="Choose a new password" body="Other devices are signed out when you do." />
      {state === 'failed' ? (
        <Alert variant="destructive" role="alert">
          <AlertDescription>
            This link has expired or was used already.{' '}
            <Link href="/forgot-password" className="font-medium underline">
              Ask for a new one
            </Link>
            .
          </AlertDescription>
        </Alert>
      ) : (
        <Form {...form}>
          <form
            noValidate
            onSubmit={(e) => void form.handleSubmit(onSubmit)(e)}
            className="grid gap-4"
          >
            <FormField
              control={form.control}
              name="password"
              rules={{ validate: (v) => passwordWeakness(v) ?? true }}
              render={({ field }) => (
                <FormItem>
                  <FormLabel>New password</FormLabel>
                  <FormControl>
                    <Input {...field} type="password" autoComplete="new-password" />
                  </FormControl>
                  <FormDescription>At least {PASSWORD_MIN_LENGTH} characters.</FormDescription>
                  <FormMessage />
                </FormItem>
              )}
            />
            <Button type="submit" size="lg" disabled={pending}>
              {pending && <Loader2 className="animate-spin" aria-hidden="true" />}
              Save the new password
            </Button>
          </form>
        </Form>
      )}
    </div>
  );
}
