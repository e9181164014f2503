import { AuthForm } from '@/components/auth-form';

export const metadata = { title: 'Sign in · Adapter Studio' };

export default function SignInPage() {
  return <AuthForm mode="sign-in" />;
}
