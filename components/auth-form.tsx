'use client';
import { Eye, EyeOff, Loader2 } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
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
import { Separator } from '@/components/ui/separator';
import { PASSWORD_MIN_LENGTH } from '@/server/auth/password-policy';

type Values = { name?: string; email: string; password: string };

// zod, the schemas and the auth client load on first submit, not with the page: sign-in and
// sign-up are entry pages and should be interactive at once.
const resolverFor =
  (mode: 'sign-up' | 'sign-in'): Resolver<Values> =>
  async (values, ctx, opts) => {
    const [{ zodResolver }, schemas] = await Promise.all([
      import('@hookform/resolvers/zod'),
      import('./auth-schemas'),
    ]);
    const schema = mode === 'sign-up' ? schemas.signUpSchema : schemas.signInSchema;
    return zodResolver(schema)(values, ctx, opts);
  };

export type OAuthProvider = 'github' | 'google';
const PROVIDER_NAMES: Record<OAuthProvider, string> = { github: 'GitHub', google: 'Google' };

/** Sign-up and sign-in share one form; `mode` picks the fields, the checks and the call. */
export function AuthForm({
  mode,
  providers = [],
}: {
  mode: 'sign-up' | 'sign-in';
  providers?: OAuthProvider[];
}) {
  const signUp = mode === 'sign-up';
  const router = useRouter();
  const [failure, setFailure] = useState<string | null>(null);
  const [showPassword, setShowPassword] = useState(false);
  const form = useForm<Values>({
    resolver: resolverFor(mode),
    defaultValues: { name: '', email: '', password: '' },
  });
  const pending = form.formState.isSubmitting;

  async function onSubmit(v: Values) {
    setFailure(null);
    const { authClient } = await import('@/lib/auth-client');
    const { error } = signUp
      ? await authClient.signUp.email({
          email: v.email,
          password: v.password,
          name: v.name ?? '',
          callbackURL: '/dashboard?verified=1',
        })
      : await authClient.signIn.email({ email: v.email, password: v.password });
    if (error) {
      setFailure(
        error.status === 429
          ? error.message && /paused/i.test(error.message)
            ? error.message
            : 'Too many attempts. Wait a minute and try again.'
          : error.status === 401 || error.code === 'INVALID_EMAIL_OR_PASSWORD'
            ? 'That email and password do not match. Check them, or create an account.'
            : (error.message ?? 'Something went wrong. Try again.'),
      );
      return;
    }
    router.push('/dashboard');
    router.refresh();
  }

  return (
    <div className="grid gap-6">
      <div className="grid gap-2 text-center">
        <h1 className="text-2xl font-bold tracking-tight">
          {signUp ? 'Create your account' : 'Sign in'}
        </h1>
        <p className="text-sm text-muted-foreground">
          {signUp
            ? 'Free credits to start. No card needed.'
            : 'Welcome back. Your library and gallery are waiting.'}
        </p>
      </div>

      {providers.length > 0 && (
        <>
          <div className="grid gap-2">
            {providers.map((p) => (
              <Button
                key={p}
                type="button"
                variant="outline"
                size="lg"
                onClick={() =>
                  void import('@/lib/auth-client').then(({ authClient }) =>
                    authClient.signIn.social({ provider: p, callbackURL: '/dashboard' }),
                  )
                }
              >
                Continue with {PROVIDER_NAMES[p]}
              </Button>
            ))}
          </div>
          <div className="flex items-center gap-3 text-xs text-muted-foreground">
            <Separator className="flex-1" />
            or with email
            <Separator className="flex-1" />
          </div>
        </>
      )}

      <Form {...form}>
        <form
          noValidate
          onSubmit={(e) => void form.handleSubmit(onSubmit)(e)}
          className="grid gap-4"
        >
          {signUp && (
            <FormField
              control={form.control}
              name="name"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Name</FormLabel>
                  <FormControl>
                    <Input {...field} autoComplete="name" maxLength={100} />
                  </FormControl>
                  <FormMessage />
                </FormItem>
              )}
            />
          )}
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
          <FormField
            control={form.control}
            name="password"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Password</FormLabel>
                <div className="relative">
                  <FormControl>
                    <Input
                      {...field}
                      type={showPassword ? 'text' : 'password'}
                      autoComplete={signUp ? 'new-password' : 'current-password'}
                      className="pr-20"
                    />
                  </FormControl>
                  <Button
                    type="button"
                    variant="ghost"
                    size="sm"
                    className="absolute top-1 right-1 h-8 px-2 text-muted-foreground"
                    aria-pressed={showPassword}
                    onClick={() => setShowPassword((s) => !s)}
                  >
                    {showPassword ? <EyeOff aria-hidden="true" /> : <Eye aria-hidden="true" />}
                    {showPassword ? 'Hide' : 'Show'}
                    <span className="sr-only"> password</span>
                  </Button>
                </div>
                {signUp ? (
                  <FormDescription>At least {PASSWORD_MIN_LENGTH} characters.</FormDescription>
                ) : (
                  <FormDescription>
                    <Link href="/forgot-password" className="font-medium text-primary underline">
                      Forgot your password?
                    </Link>
                  </FormDescription>
                )}
                <FormMessage />
              </FormItem>
            )}
          />
          {failure && (
            <Alert variant="destructive" role="alert">
              <AlertDescription>{failure}</AlertDescription>
            </Alert>
          )}
          <Button type="submit" size="lg" disabled={pending}>
            {pending && <Loader2 className="animate-spin" aria-hidden="true" />}
            {signUp ? 'Sign up' : 'Sign in'}
          </Button>
        </form>
      </Form>

      <p className="text-center text-sm text-muted-foreground">
        {signUp ? (
          <>
            Already have an account?{' '}
            <Link href="/sign-in" className="font-medium text-primary underline">
              Sign in
            </Link>
          </>
        ) : (
          <>
            New here?{' '}
            <Link href="/sign-up" className="font-medium text-primary underline">
              Create an account
            </Link>
          </>
        )}
      </p>
    </div>
  );
}
