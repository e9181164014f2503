import { AuthForm } from '@/components/auth-form';

export const metadata = { title: 'Create your account · Adapter Studio' };

export default function SignUpPage() {
  return <AuthForm mode="sign-up" />;
}
