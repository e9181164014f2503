import { AuthShell } from '@/components/auth-shell';
import { ForgotPasswordForm } from '@/components/password-reset-forms';

export const metadata = { title: 'Reset your password · Adapter Studio' };

export default async function ForgotPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ email?: string }>;
}) {
  const { email } = await searchParams;
  return (
    <AuthShell>
      <ForgotPasswordForm email={typeof email === 'string' ? email.slice(0, 320) : ''} />
    </AuthShell>
  );
}
