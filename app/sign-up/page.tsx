import { AuthForm } from '@/components/auth-form';
import { AuthShell } from '@/components/auth-shell';
import { oauthProviders } from '@/components/oauth-providers';

export const metadata = { title: 'Create your account · Adapter Studio' };

export default async function SignUpPage() {
  return (
    <AuthShell>
      <AuthForm mode="sign-up" providers={await oauthProviders()} />
    </AuthShell>
  );
}
