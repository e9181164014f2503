'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { authClient } from '@/lib/auth-client';

/** Sign-up and sign-in share one form; `mode` picks the fields and the call. */
export function AuthForm({ mode }: { mode: 'sign-up' | 'sign-in' }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const form = new FormData(event.currentTarget);
    const field = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' ? v : '';
    };
    const email = field('email');
    const password = field('password');
    setPending(true);
    setError(null);
    const { error: failure } =
      mode === 'sign-up'
        ? await authClient.signUp.email({ email, password, name: field('name') })
        : await authClient.signIn.email({ email, password });
    setPending(false);
    if (failure) {
      setError(
        failure.status === 429
          ? 'Too many attempts. Wait a minute and try again.'
          : (failure.message ?? 'Something went wrong. Try again.'),
      );
      return;
    }
    router.push('/dashboard');
    router.refresh();
  }

  const signUp = mode === 'sign-up';
  return (
    <div className="card">
      <h1>{signUp ? 'Create your account' : 'Sign in'}</h1>
      <form onSubmit={(e) => void onSubmit(e)} noValidate>
        {signUp && (
          <label>
            Name
            <input name="name" autoComplete="name" required maxLength={100} />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={signUp ? 'new-password' : 'current-password'}
            required
            minLength={signUp ? 10 : undefined}
            aria-describedby={signUp ? 'password-hint' : undefined}
          />
          {signUp && (
            <span id="password-hint" className="muted">
              At least 10 characters.
            </span>
          )}
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={pending}>
          {pending ? 'Please wait…' : signUp ? 'Create account' : 'Sign in'}
        </button>
      </form>
      <p className="muted">
        {signUp ? (
          <>
            Already have an account? <Link href="/sign-in">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/sign-up">Create an account</Link>
          </>
        )}
      </p>
    </div>
  );
}
