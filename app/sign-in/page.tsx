import { AuthForm } from '@/components/auth-form';
import { AuthShell } from '@/components/auth-shell';
import { oauthProviders } from '@/components/oauth-providers';

export const metadata = { title: 'Sign in · Adapter Studio' };

export default async function SignInPage() {
  return (
    <AuthShell>
      <AuthForm mode="sign-in" providers={await oauthProviders()} />
    </AuthShell>
  );
}
