import { AuthShell } from '@/components/auth-shell';
import { ResetPasswordForm } from '@/components/password-reset-forms';

export const metadata = { title: 'Choose a new password · Adapter Studio' };

/** The mailed link lands here through better-auth with ?token=… (or ?error=INVALID_TOKEN). */
export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string; error?: string }>;
}) {
  const { token, error } = await searchParams;
  return (
    <AuthShell>
      <ResetPasswordForm
        token={typeof token === 'string' ? token : undefined}
        error={typeof error === 'string' ? error : undefined}
      />
    </AuthShell>
  );
}
